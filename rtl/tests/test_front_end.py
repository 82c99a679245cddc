"""FrontEnd in amaranth.sim against ``common.front_end``: every output vector equal, in order, with the
producer pausing and the consumer stalling at random (the state must move once per sample, and only then);
and its latency and initiation interval as ``rtl/plan.py`` states them."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from common.config import FixedFormat, FrontEndConfig, LayerConfig, ModelConfig
from common.front_end import network_inputs
from common.roles import jack_roles
from rtl.front_end import FrontEnd
from rtl.plan import FRONT_END_LATENCY, front_end_cycles


def _run(cfg: ModelConfig, jacks: np.ndarray, seed: int, *, valid_p=0.8, ready_p=0.7):
    """Outputs in order, and the cycles of every input and output transfer."""
    dut = FrontEnd(cfg)
    rng = np.random.default_rng(seed)
    got, taken, given = [], [], []

    async def producer(ctx):
        cycle = 0
        for vector in jacks:
            while True:
                valid = rng.random() < valid_p
                ctx.set(dut.i.valid, valid)
                ctx.set(dut.i.payload, [int(v) for v in vector])
                _, _, ready = await ctx.tick().sample(dut.i.ready)
                cycle += 1
                if valid and ready:
                    taken.append(cycle)
                    break
        ctx.set(dut.i.valid, 0)

    async def consumer(ctx):
        cycle = 0
        while len(got) < len(jacks):
            ready = rng.random() < ready_p
            ctx.set(dut.o.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(dut.o.valid, dut.o.payload)
            cycle += 1
            if valid and ready:
                got.append([int(v) for v in payload])
                given.append(cycle)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return np.array(got), taken, given


def _config(inputs, front_end, width=16):
    fmt = FixedFormat(width, width - 4)
    return ModelConfig(layers=[LayerConfig(1)], inputs=inputs, front_end=front_end, data_format=fmt,
                       weight_format=fmt)


def _stimulus(cfg: ModelConfig, n: int, rng) -> np.ndarray:
    """A slow noisy triangle (hysteresis, swings), a fast one, then full-scale jumps (saturation)."""
    fmt = cfg.data_format
    t = np.arange(n)
    core = (np.abs((t % 80) - 40) * 6 - 120 + rng.integers(-2, 3, size=n)).astype(np.int64)
    core[n // 2:3 * n // 4] = (np.abs((t[n // 2:3 * n // 4] % 12) - 6) * (fmt.max_int // 8) - fmt.max_int // 3)
    core[3 * n // 4:] = rng.choice([fmt.min_int, fmt.max_int, 0, 7], size=n - 3 * n // 4)
    roles = jack_roles(cfg.inputs)
    return np.stack([core if r == "core" else rng.integers(fmt.min_int, fmt.max_int + 1, size=n) for r in roles],
                    axis=1)


@pytest.mark.parametrize(("inputs", "front_end", "width"), [
    (("core", "e0", "e1", "direction", "slope", "level", "rate"), FrontEndConfig(), 16),
    (("slope", "direction", "core", "zero"), FrontEndConfig(direction_lag=1, direction_threshold=1, slope_shift=0), 16),
    (("rate", "core", "level", "e1"), FrontEndConfig(direction_lag=7, direction_threshold=5, span_floor=16,
                                                     rate_shift=3), 12),
    (("core", "level"), FrontEndConfig(direction_lag=2, span_floor=4096, rate_shift=0), 18),
    (("core", "phase", "e0"), FrontEndConfig(direction_lag=1, direction_threshold=1), 16),
    (("core", "e0", "e1", "direction", "slope", "level", "rate", "phase"), FrontEndConfig(), 16),
])
def test_front_end_matches_the_golden_codes(inputs, front_end, width):
    cfg = _config(inputs, front_end, width)
    rng = np.random.default_rng(width)
    jacks = _stimulus(cfg, 400, rng)
    expected, _ = network_inputs(cfg, jacks)
    got, _, _ = _run(cfg, jacks, seed=width)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected), np.argwhere(got != expected)[:5]
    for role in ("direction", "level", "phase"):  # the stimulus reached both directions, the swing's extremes
        if role in inputs:
            column = expected[:, inputs.index(role)]
            assert (column > 0).any() and (column < 0).any()
    if "level" in inputs:
        assert (np.abs(expected[:, inputs.index("level")]) == cfg.data_format.max_int).any()  # saturated too


@pytest.mark.parametrize("inputs", [("core", "e0", "direction"), ("core", "level", "rate"), ("core", "phase")])
def test_latency_and_interval_are_the_plan(inputs):
    """Offered every cycle and always taken: the first output comes FRONT_END_LATENCY cycles after its input
    and inputs are taken every front_end_cycles(config) cycles (one more quotient bit per cycle when it
    divides)."""
    cfg = _config(inputs, FrontEndConfig())
    jacks = _stimulus(cfg, 12, np.random.default_rng(3))
    got, taken, given = _run(cfg, jacks, seed=1, valid_p=1.0, ready_p=1.0)
    assert np.array_equal(got, network_inputs(cfg, jacks)[0])
    assert given[0] - taken[0] == FRONT_END_LATENCY
    assert set(np.diff(taken).tolist()) == {front_end_cycles(cfg)}
    # by hand: 6 cycles without division (5 stages and the output transfer); with it, the take, 5 stages up
    # to the divisor and K + 1 quotient bits, K = 16 + bit_length(512 - 1) = 25 -> 32; the phase's increment
    # 2**25 // half has 26 quotient bits -> 32 too
    assert front_end_cycles(cfg) == (6 if inputs[-1] == "direction" else 32)


def test_phase_count_saturates_in_hardware(monkeypatch):
    """A core that rises for longer than the count holds, then turns: the count and the sum hold at
    saturation, and the turn latches the saturated length; every code equals the golden one. The count's
    bound is lowered to 200 for the simulation's sake (golden model and RTL both read it from the config;
    the real 2**14 - 1 takes minutes of simulation and is the same logic, only wider)."""
    monkeypatch.setattr(FrontEndConfig, "PHASE_COUNT_MAX", 200)
    cfg = _config(("core", "phase"), FrontEndConfig(direction_lag=1, direction_threshold=1))
    # rise 50 samples, fall 50, rise 300, fall 60; every sample but the first beyond the running extreme, so
    # each half is 50 extreme to extreme, and the long rise's count (1 at t100) stops at 200 at t299
    core = np.concatenate([np.arange(50) * 10, 490 - np.arange(1, 51) * 10, -10 + np.arange(1, 301) * 10,
                           2990 - np.arange(1, 61) * 50])
    column = network_inputs(cfg, core[:, None])[0][:, 1]
    assert network_inputs(cfg, core[:, None])[1].half_rise == 200  # the long rise latched saturated
    held = (200 * ((1 << 25) // 50) - (1 << 24)) >> 12  # 200 steps of the first rise's increment
    assert column[298] < column[299] == column[399] == held
    # then a rise of 20 and a crest held flat for 230 samples: the count since the extreme saturates too, and
    # the turn at t710 takes the saturated count and its held sum over (the fall t400..t459 was 60)
    core = np.concatenate([core, np.arange(1, 21) * 10 - 10, np.full(230, 190), 190 - np.arange(1, 21) * 10])
    jacks = core[:, None].astype(np.int64)
    expected, state = network_inputs(cfg, jacks)
    assert expected[710, 1] == (200 * ((1 << 25) // 60) - (1 << 24)) >> 12
    assert state.half_rise == 0  # extreme to extreme, both counts saturated: counted as 2
    got, _, _ = _run(cfg, jacks, seed=5, valid_p=1.0, ready_p=1.0)
    assert np.array_equal(got, expected), np.argwhere(got != expected)[:5]
