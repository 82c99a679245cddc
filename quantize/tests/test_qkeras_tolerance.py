"""The golden-vs-QKeras rule on hand-made cases (no TensorFlow): on identical inputs every difference must
be one LSB at a tie of the exact accumulator; the float32 bound; the SNR figure."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.qkeras_check import _compare_layer, codes_from_real, float32_error_lsb, snr_db
from quantize.weights import QuantizedLayer, QuantizedNetwork


def half_weight_network(rounding: str = "half_up") -> QuantizedNetwork:
    """One 1x1 layer, weight 0.5 (code 2048), no bias: input code x gives exactly x / 2 output LSBs, a tie
    for every odd x."""
    config = ModelConfig(layers=(LayerConfig(1, 1, 1),), inputs=("core",), rounding=rounding)
    return QuantizedNetwork(config, (QuantizedLayer(np.array([[[2048]]]), np.array([0])),))


# input codes and, by hand, x / 2 rounded three ways: half up, half to even (QKeras' tf.round), floor
X = [1, 3, 5, -1, -3, 4, 6, -8, 7]
HALF_UP = [1, 2, 3, 0, -1, 2, 3, -4, 4]
HALF_EVEN = [0, 2, 2, 0, -2, 2, 3, -4, 4]
FLOOR = [0, 1, 2, -1, -2, 2, 3, -4, 3]


def compare(network, golden, qkeras):
    inputs = np.array(X).reshape(1, -1, 1)
    return _compare_layer(network, 0, inputs, np.array(golden).reshape(1, -1, 1),
                          np.array(qkeras).reshape(1, -1, 1))


def test_half_up_differs_from_qkeras_only_at_ties():
    max_err, differences, unexplained, ties, _eps, first = compare(half_weight_network(), HALF_UP, HALF_EVEN)
    # x = 1, 5, -3 are ties that half up and half even resolve differently; every odd x is a tie (6 of them)
    assert (max_err, differences, unexplained, ties, first) == (1, 3, 0, 6, None)


def test_floor_golden_in_a_half_up_config_is_caught():
    """On exact ties floor(x / 2) is one of the two nearest values (x = 3: 1.5 -> 1 where QKeras gives 2),
    so the rule accepts it there; off the ties a truncating golden model is caught."""
    _, differences, unexplained, _, _, _ = compare(half_weight_network(), FLOOR, HALF_EVEN)
    assert differences == 3 and unexplained == 0  # on pure ties, floor is one of the two nearest values
    # Off the ties: weight 0.75 (code 3072): x = 1 gives 0.75, which rounds to 1 but floors to 0.
    config = half_weight_network().config
    network = QuantizedNetwork(config, (QuantizedLayer(np.array([[[3072]]]), np.array([0])),))
    inputs = np.array([1, 2, 3, -1]).reshape(1, -1, 1)  # exact: 0.75, 1.5, 2.25, -0.75
    nearest = np.array([1, 2, 2, -1]).reshape(1, -1, 1)   # QKeras (half to even)
    floored = np.array([0, 1, 2, -1]).reshape(1, -1, 1)
    max_err, differences, unexplained, _, _, first = _compare_layer(network, 0, inputs, floored, nearest)
    assert (max_err, differences, unexplained) == (1, 2, 1)  # 0.75 -> 0 is off by 0.25 from the midpoint 0.5
    assert first.startswith("layer 0, sequence 0, sample 0, channel 0: golden 0, QKeras 1, exact accumulator 0.75")
    # the same floor outputs are what a floor *config* must give: then the difference is allowed
    floor_config = QuantizedNetwork(config.replace(rounding="floor"), network.layers)
    assert _compare_layer(floor_config, 0, inputs, floored, nearest)[2] == 0


def test_two_lsb_difference_is_never_allowed():
    network = half_weight_network()
    qkeras = list(HALF_EVEN)
    qkeras[5] += 2  # x = 4: exact 2, golden 2, "QKeras" 4
    max_err, _, unexplained, _, _, _ = compare(network, HALF_UP, qkeras)
    assert max_err == 2 and unexplained == 1


def test_saturated_and_relu_outputs():
    """Hidden layer (ReLU) with weight 0.5: exact 16383.5 LSB saturates nowhere but is a tie (half up 16384,
    QKeras 16384 even), -0.5 and -16384 clamp to 0 in both, 0.5 is a tie at zero (half up 1, QKeras 0).
    Weight 8 - 2**-12 (code 32767): input 4.0 (16384) gives exact 131068 LSB and 32767 (262127 LSB) more,
    both saturated to 32767 by both models; input 1 gives 7.9998 LSB -> 8."""
    config = ModelConfig(layers=(LayerConfig(2, 1, 1), LayerConfig(1, 1, 1)), inputs=("core",))
    network = QuantizedNetwork(config, (QuantizedLayer(np.array([[[2048, 32767]]]), np.array([0, 0])),
                                        QuantizedLayer(np.zeros((1, 2, 1), np.int64), np.array([0]))))
    inputs = np.array([32767, -1, -32768, 1, 16384]).reshape(1, -1, 1)
    golden = np.array([[16384, 32767], [0, 0], [0, 0], [1, 8], [8192, 32767]]).reshape(1, -1, 2)
    qkeras = np.array([[16384, 32767], [0, 0], [0, 0], [0, 8], [8192, 32767]]).reshape(1, -1, 2)
    max_err, differences, unexplained, ties, _, _ = _compare_layer(network, 0, inputs, golden, qkeras)
    assert (max_err, differences, unexplained, ties) == (1, 1, 0, 3)  # ties: x = 32767, -1, 1 on channel 0
    qkeras[0, 0, 1] = 32766  # a saturated output that QKeras got wrong is not a tie
    assert _compare_layer(network, 0, inputs, golden, qkeras)[2] == 1


def test_float32_bound_by_hand():
    """Layer 1 of a two-layer net: 2 taps x 2 channels = 4 products plus the bias, so n = 5 terms and
    gamma_5 = 5u / (1 - 5u), u = 2**-24: 2.98023224e-7 / (1 - 2.98e-7) = 2.98023313e-7. The largest row
    sum is |1| + |-0.5| + |0.5| + |0.5| = 2.5 (real), the largest input 8.0 (code 32768), no bias:
    2.98023313e-7 * 2.5 * 8.0 * 4096 LSB = 0.0244140698 LSB."""
    config = ModelConfig(layers=(LayerConfig(2, 1, 1), LayerConfig(1, 2, 1)), inputs=("core",))
    second = np.array([[[4096], [-2048]], [[2048], [2048]]])
    network = QuantizedNetwork(config, (QuantizedLayer(np.array([[[2048, -1024]]]), np.array([0, 0])),
                                        QuantizedLayer(second, np.array([0]))))
    assert float32_error_lsb(network, 1, 32768.0) == pytest.approx(0.0244140698, rel=1e-8)


def test_snr():
    assert snr_db(np.array([1.0, -1.0]), np.array([1.1, -1.1])) == pytest.approx(20.0)
    assert snr_db(np.array([3.0, 4.0]), np.array([3.0, 4.0])) is None


def test_codes_from_real_requires_the_grid():
    fmt = FixedFormat(16, 12)
    assert codes_from_real(np.array([0.25, -8.0]), fmt).tolist() == [1024, -32768]
    with pytest.raises(ValueError, match="not on the FP4.12 grid"):
        codes_from_real(np.array([0.1]), fmt)
    with pytest.raises(ValueError, match="outside"):
        codes_from_real(np.array([8.0]), fmt)
