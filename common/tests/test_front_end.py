"""The front end's integer arithmetic (docs/arithmetic.md, "Front end") on hand-worked signals."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import ConfigError, FrontEndConfig, LayerConfig, ModelConfig, load_config
from common.front_end import network_inputs, reset_state


def _config(**front_end) -> ModelConfig:
    return ModelConfig(layers=[LayerConfig(1)], inputs=("core", "e0", "direction", "slope", "zero"),
                       front_end=FrontEndConfig(**front_end))


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
    ("direction_lag = 0", r"front_end.direction_lag: must be a positive integer, got 0"),
    ("direction_threshold = true", r"front_end.direction_threshold: must be a positive integer, got True"),
    ("slope_shift = 16", r"front_end.slope_shift: must be an integer from 0 to 15, got 16"),
    ("gain = 2", r"front_end: must be a table with direction_lag, direction_threshold, slope_shift"),
])
def test_bad_front_end_tables_are_refused(tmp_path, table, message):
    path = tmp_path / "c.toml"
    path.write_text(f"[front_end]\n{table}\n[[layers]]\nfilters = 1\n")
    with pytest.raises(ConfigError, match=message):
        load_config(path)
