"""The front end's integer arithmetic (docs/arithmetic.md, "Front end") on hand-worked signals."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import ConfigError, FrontEndConfig, LayerConfig, ModelConfig, load_config
from common.front_end import network_inputs, reset_state


def _config(inputs=("core", "e0", "direction", "slope", "zero"), **front_end) -> ModelConfig:
    return ModelConfig(layers=[LayerConfig(1)], inputs=inputs, front_end=FrontEndConfig(**front_end))


def _reference(config: ModelConfig, core) -> dict[str, list[int]]:
    """The front end written out sample by sample from docs/arithmetic.md, in plain Python integers."""
    fe, fmt = config.front_end, config.data_format

    def clamp(v):
        return max(fmt.min_int, min(fmt.max_int, v))

    past = [0] * max(fe.direction_lag, 1)  # past[k]: the core k + 1 samples ago
    rising, hi, lo, run_max, run_min = True, 4096, -4096, 0, 0
    k_bits = 16 + (fe.span_floor - 1).bit_length()
    longest = (1 << 14) - 1
    count, since, half = 0, 0, {True: longest, False: longest}  # phase: since the extreme, since the running one
    out = {"direction": [], "slope": [], "level": [], "rate": [], "phase": []}
    for x in (int(v) for v in core):
        d = x - past[fe.direction_lag - 1]
        now = True if d >= fe.direction_threshold else False if d <= -fe.direction_threshold else rising
        recip = (1 << k_bits) // max(hi - lo, fe.span_floor)  # from the swing before this sample
        step = x - past[0]
        out["direction"].append(4096 if now else -4096)
        out["slope"].append(clamp(step * (1 << fe.slope_shift)))
        out["level"].append(clamp(((2 * x - hi - lo) * recip) >> (k_bits - 12)))
        out["rate"].append(clamp((step * recip) >> (k_bits - 12 - fe.rate_shift)))
        if now != rising:
            half[rising] = count - since  # the half just ended, extreme to extreme
            count, since = min(since + 1, longest), 0
        else:
            count = min(count + 1, longest)
            beyond = x > run_max if rising else x < run_min
            since = 0 if beyond else min(since + 1, longest)
        inc = (1 << 25) // max(half[now], 2)
        out["phase"].append(clamp((count * inc - (1 << 24)) >> 12))
        if now != rising:
            if rising:
                hi, run_min = run_max, x
            else:
                lo, run_max = run_min, x
            rising = now
        if rising:
            run_max = max(run_max, x)
        else:
            run_min = min(run_min, x)
        past = [x] + past[:-1]
    return out


def test_direction_and_slope_by_hand():
    # lag 2, threshold 3, slope << 1. The core codes and, worked by hand:
    #   t:          0    1    2    3    4    5    6    7    8
    #   x:          1    5   10   12   11    9    9   10   20
    #   x[t-2]:     0    0    1    5   10   12   11    9    9
    #   d:          1    5    9    7    1   -3   -2    1   11
    #   direction:  +    +    +    +    +    -    -    -    +   (start rising; -3 <= -3 flips; -2, 1 hold)
    #   x[t-1]:     0    1    5   10   12   11    9    9   10
    #   slope:      2    8   10    4   -2   -4    0    2   20
    cfg = _config(direction_lag=2, direction_threshold=3, slope_shift=1)
    core = np.array([1, 5, 10, 12, 11, 9, 9, 10, 20])
    e0 = np.full(9, 7)
    out, state = network_inputs(cfg, np.stack([core, e0], axis=1))
    one = 4096
    assert out[:, 0].tolist() == core.tolist()
    assert out[:, 1].tolist() == [7] * 9
    assert out[:, 2].tolist() == [one] * 5 + [-one] * 3 + [one]
    assert out[:, 3].tolist() == [2, 8, 10, 4, -2, -4, 0, 2, 20]
    assert out[:, 4].tolist() == [0] * 9
    assert state.history.tolist() == [10, 20] and state.direction == 1


def test_level_and_rate_by_hand():
    # lag 1, threshold 1, span_floor 16: K = 16 + 4 = 20 bits, level >> 8, rate (rate_shift 6) >> 2.
    #   t:        0    1    2    3    4    5    6    7
    #   x:        0    8   16    8    0   -8    0    8
    #   rising:   +    +    +    -    -    -    +    +     (t0 holds the reset's rising)
    #   the turn at t3 latches hi = 16 (the rise's maximum), the turn at t6 latches lo = -8; each counts
    #   from the next sample on: hi/lo before t = 4096/-4096 for t <= 3, 16/-4096 for t = 4..6, 16/-8 at t7
    #   recip = 2**20 // span: 128 (span 8192), 255 (4112: 255 * 4112 = 1 048 560), 43690 (span 24)
    #   level = ((2x - hi - lo) * recip) >> 8:  t2: 32 * 128 >> 8 = 16;  t4: 4080 * 255 >> 8 = 4064;
    #           t5: 4064 * 255 >> 8 = 4048;  t6: 4080 * 255 >> 8 = 4064;  t7: 8 * 43690 >> 8 = 1365 (1/3 of
    #           the way up the swing)
    #   rate = (step * recip) >> 2:  t1: 8 * 128 >> 2 = 256;  t4: -8 * 255 >> 2 = -510;  t7: 349520 -> 32767
    cfg = _config(inputs=("core", "level", "rate"), direction_lag=1, direction_threshold=1, span_floor=16)
    out, state = network_inputs(cfg, np.array([[0], [8], [16], [8], [0], [-8], [0], [8]]))
    assert out[:, 1].tolist() == [0, 8, 16, 8, 4064, 4048, 4064, 1365]
    assert out[:, 2].tolist() == [0, 256, 256, -256, -510, -510, 510, 32767]
    assert (state.hi, state.lo, state.direction, state.run_max) == (16, -8, 1, 8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_sample_by_sample_definition(seed):
    """Random slow and fast triangles with noise and jumps, fed in random pieces: every derived code equals
    the per-sample reference above."""
    rng = np.random.default_rng(seed)
    cfg = _config(inputs=("core", "direction", "slope", "level", "rate", "phase"),
                  direction_lag=int(rng.integers(1, 6)),
                  direction_threshold=int(rng.integers(1, 4)), span_floor=int(rng.choice([16, 512, 4096])),
                  rate_shift=int(rng.integers(0, 7)))
    t = np.arange(3000)
    core = np.concatenate([
        (np.abs((t % 400) - 200) * 20 - 2000 + rng.integers(-3, 4, size=len(t))),  # a slow triangle, noisy
        (np.abs((t % 37) - 18) * 900 - 8000),                                   # a fast one
        rng.integers(-32768, 32768, size=500),                                  # full-scale jumps
        np.zeros(300, dtype=np.int64)]).clip(-32768, 32767)                     # silence
    expected = _reference(cfg, core)
    state, parts, lo = reset_state(cfg), [], 0
    while lo < len(core):
        hi = min(len(core), lo + int(rng.integers(1, 700)))
        part, state = network_inputs(cfg, core[lo:hi, None], state)
        parts.append(part)
        lo = hi
    got = np.concatenate(parts)
    for c, role in enumerate(cfg.inputs[1:], start=1):
        assert got[:, c].tolist() == expected[role], role


def test_phase_by_hand():
    # lag 1, threshold 2: the direction turns a step of 2 after a flat or small step. B = 24, frac 12: >> 12.
    #   t:        0  1  2  3  4  5  6  7  8  9  10 11 12 13
    #   x:        3  6  9  9  8  6  3  0 -3 -3 -2  0  3  6
    #   x - x[-1] 3  3  3  0 -1 -2 -3 -3 -3  0  1  2  3  3
    #   rising:   +  +  +  +  +  -  -  -  -  -  -  +  +  +     (turns at t5 and t11: after the extremes)
    #   fresh:    y  y  y  .  .  y  y  y  y  .  .  y  y  y     (beyond the running extreme, or a turn)
    #   e:        0  0  0  1  2  0  0  0  0  1  2  0  0  0
    #   c:        1  2  3  4  5  3  4  5  6  7  8  3  4  5     (at a turn: e + 1 with e before it)
    #   latched at t5: rise c - e = 5 - 2 = 3 (t-1 .. t2); at t11: fall 8 - 2 = 6 (crest t2 to trough t8)
    #   inc = 2**25 // half: 2048 while the halves are reset's 16383; 11184810 for the rise of 3 from t11
    #   phase = (c * inc - 2**24) >> 12:  c = 1..8 with 2048: -4096 (-4095.5 floored), -4095, -4095 (-4094.5),
    #     -4094, -4094 (-4093.5), then t5..t10 (c 3..8): -4095, -4094, -4094, -4093, -4093, -4092;
    #     t11..t13 (c 3, 4, 5 with 11184810): 16777214 >> 12 = 4095;  27962024 >> 12 = 6826;  9557
    cfg = _config(inputs=("core", "phase"), direction_lag=1, direction_threshold=2)
    core = np.array([3, 6, 9, 9, 8, 6, 3, 0, -3, -3, -2, 0, 3, 6])
    out, state = network_inputs(cfg, core[:, None])
    assert out[:, 1].tolist() == [-4096, -4095, -4095, -4094, -4094, -4095, -4094, -4094, -4093, -4093, -4092,
                                  4095, 6826, 9557]
    assert (state.count, state.since_extreme, state.half_rise, state.half_fall) == (5, 0, 3, 6)
    # the next fall is timed against the fall of 6: from the crest at t14 (9), one sample on, 2**25 // 6 = 5592405
    out, state = network_inputs(cfg, np.array([[9], [8], [5]]), state)
    assert out[:, 1].tolist()[2] == (2 * 5592405 - (1 << 24)) >> 12 == -1366
    assert (state.count, state.half_rise) == (2, 6)  # the rise t8 .. t14, extreme to extreme


def test_phase_count_saturates():
    # a core that never turns: the count stops at 2**14 - 1 and the phase with it (reset's halves: 16383)
    cfg = _config(inputs=("core", "phase"), direction_lag=1, direction_threshold=1)
    out, state = network_inputs(cfg, np.arange(20000)[:, None].clip(max=32767))
    assert state.count == (1 << 14) - 1
    inc = (1 << 25) // ((1 << 14) - 1)
    assert out[-1, 1] == (((1 << 14) - 1) * inc - (1 << 24)) >> 12 == out[(1 << 14) - 2, 1]


def test_a_falling_start_holds_rising_until_the_threshold():
    cfg = _config(direction_lag=1, direction_threshold=2)
    out, _ = network_inputs(cfg, np.array([[0, 0], [-1, 0], [-2, 0], [-5, 0]]))
    assert (out[:, 2] > 0).tolist() == [True, True, True, False]  # steps of -1 are inside the dead zone


def test_slope_saturates_instead_of_wrapping():
    cfg = _config(slope_shift=4)
    out, _ = network_inputs(cfg, np.array([[32767, 0], [-32768, 0], [-32768, 0], [-32767, 0]]))
    # (32767 - 0) << 4 and (-32768 - 32767) << 4 overflow 16 bits: saturated, never wrapped
    assert out[:, 3].tolist() == [32767, -32768, 0, 16]


def test_pieces_give_the_same_codes_as_the_whole_signal():
    cfg = _config(direction_lag=4, direction_threshold=2, slope_shift=4)
    rng = np.random.default_rng(3)
    core = np.cumsum(rng.integers(-3, 4, size=500)).clip(-32768, 32767)
    jacks = np.stack([core, rng.integers(0, 4096, size=500)], axis=1)
    whole, _ = network_inputs(cfg, jacks)
    state, parts = reset_state(cfg), []
    for lo, hi in ((0, 1), (1, 3), (3, 200), (200, 200), (200, 500)):
        part, state = network_inputs(cfg, jacks[lo:hi], state)
        parts.append(part)
    assert np.array_equal(np.concatenate(parts), whole)


def test_jack_signals_are_checked():
    cfg = _config()
    with pytest.raises(ValueError, match=r"shape \(samples, 2\) for \['core', 'e0'\]"):
        network_inputs(cfg, np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="integer FP4.12 codes"):
        network_inputs(cfg, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"jack codes must lie in \[-32768, 32767\]"):
        network_inputs(cfg, np.array([[40000, 0]]))


@pytest.mark.parametrize(("table", "message"), [
    ("direction_lag = 0", r"front_end.direction_lag: must be an integer from 1 to 64 \(the core samples the "
                          r"front end's history holds\), got 0"),
    ("direction_lag = 100000000", r"front_end.direction_lag: must be an integer from 1 to 64 .* got 100000000"),
    ("direction_threshold = true", r"front_end.direction_threshold: must be an integer from 1 to 65535 .* got True"),
    ("direction_threshold = 0", r"front_end.direction_threshold: must be an integer from 1 to 65535 .* got 0"),
    ("slope_shift = 16", r"front_end.slope_shift: must be an integer from 0 to 15, got 16"),
    ("gain = 2", r"front_end: must be a table with direction_lag, direction_threshold, rate_shift, slope_shift, "
                 r"span_floor"),
    ("span_floor = 8", r"front_end.span_floor: must be an integer from 16 to 16384, got 8"),
    ("rate_shift = 9", r"front_end.rate_shift: must be an integer from 0 to 8, got 9"),
])
def test_bad_front_end_tables_are_refused(tmp_path, table, message):
    path = tmp_path / "c.toml"
    path.write_text(f"[front_end]\n{table}\n[[layers]]\nfilters = 1\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path)
