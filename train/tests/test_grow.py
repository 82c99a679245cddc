"""Growing a trained network: its new channels start silent but able to learn, and growth that cannot preserve
the function is refused by name (the golden model's side: quantize/tests/test_grown_network.py)."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import ConfigError
from train.grow import check_growth, grown_weights
from train.tests.helpers import grow_configs, random_weights


def test_new_channels_start_silent_but_able_to_learn():
    small, big = grow_configs()
    rng = np.random.default_rng(1)
    grown = grown_weights(small, random_weights(small, rng, 0.2), big, random_weights(big, rng, 0.2, on_grid=False))
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
    small, big = grow_configs()
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
