"""Growing a trained network: the grown network computes what the small one did (float exactly, the golden
model to the LSB), its new channels can learn, and growth that cannot preserve the function is refused by
name."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import ConfigError, load_config
from quantize.export import convert_weights
from quantize.golden import run_batch
from train.grow import check_growth, grown_weights
from train.tests.helpers import ROOT


def _configs(rounding: str = "half_up"):
    small = load_config(ROOT / "configs" / "default.toml").replace(rounding=rounding)
    big = load_config(ROOT / "configs" / "colorlight_i5.toml").replace(rounding=rounding)
    return small, big


def _random_weights(config, rng, scale: float, on_grid: bool = True):
    """Per layer (kernel (K, Cin, Cout), bias) as Keras holds them, small values on the FP4.12 grid."""
    out = []
    for i, lc in enumerate(config.layers):
        shape = (lc.kernel_size, config.in_channels(i), lc.filters)
        kernel, bias = rng.normal(0, scale, shape), rng.normal(0, scale, lc.filters)
        if on_grid:
            kernel, bias = np.round(kernel * 4096) / 4096, np.round(bias * 4096) / 4096
        out.append((kernel.astype(np.float32), bias.astype(np.float32)))
    return out


@pytest.mark.parametrize("rounding", ["half_up", "half_even"])
def test_the_grown_network_plays_what_the_small_one_played(rounding):
    """Golden model, default network grown into the 25F network (wider, one layer deeper, longer receptive
    field): every output equal, except that with ``half_up`` the negated copy ``relu(-y)`` rounds an exact
    tie the other way (1 LSB, on at most a few samples in a thousand)."""
    small, big = _configs(rounding)
    rng = np.random.default_rng(5)
    small_weights = _random_weights(small, rng, 0.15)
    grown = grown_weights(small, small_weights, big, _random_weights(big, rng, 0.15, on_grid=False))
    codes = rng.integers(-4096, 4096, size=(6000, small.n_inputs))
    before = run_batch(convert_weights(small_weights, small)[0], codes).output
    after_network, saturated = convert_weights(grown, big)
    after = run_batch(after_network, codes).output
    assert not saturated
    assert np.std(before) > 500  # the small network does something
    difference = np.abs(after.astype(np.int64) - before)
    if rounding == "half_even":
        np.testing.assert_array_equal(after, before)
    else:
        assert difference.max() <= 1 and np.mean(difference != 0) < 0.005


def test_new_channels_start_silent_but_able_to_learn():
    small, big = _configs()
    rng = np.random.default_rng(1)
    grown = grown_weights(small, _random_weights(small, rng, 0.2), big, _random_weights(big, rng, 0.2, on_grid=False))
    kernel1, _ = grown[1]
    # layer 1's old outputs (0..15) see nothing of layer 0's new channels (16..31), at any tap
    assert not kernel1[:, 16:, :16].any()
    # the new outputs keep their random incoming weights, so their outgoing weights get a gradient
    assert kernel1[:, :, 16:].std() > 0.1
    # the new layer 3 is the output's identity: relu(y) - relu(-y) at the newest tap only
    kernel3, bias3 = grown[3]
    assert kernel3[-1, 0, 0] == 1.0 and kernel3[-1, 1, 0] == -1.0 and np.count_nonzero(kernel3) == 2
    assert bias3[0] == 0.0


def test_growth_that_cannot_keep_the_function_is_refused():
    small, big = _configs()
    narrow = big.replace(layers=(big.layers[0].__class__(filters=8, kernel_size=4, dilation=1), *big.layers[1:]))
    with pytest.raises(ConfigError,
                       match=r"cannot grow into 'colorlight_i5': layer 0 needs at least 16 filters, it has 8"):
        check_growth(small, narrow)
    moved = big.replace(layers=(big.layers[0], big.layers[1].__class__(filters=32, kernel_size=4, dilation=2),
                                *big.layers[2:]))
    with pytest.raises(ConfigError, match=r"layer 1 must keep dilation 4 and at least 4 taps, it has dilation 2"):
        check_growth(small, moved)
    with pytest.raises(ConfigError, match=r"their lookahead differ \(2 and 0\)"):
        check_growth(small, big.replace(lookahead=0))
    with pytest.raises(ConfigError, match=r"it has fewer layers \(3 < 4\)"):
        check_growth(big, small)
