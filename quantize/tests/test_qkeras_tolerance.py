"""The derived golden-vs-QKeras tolerance and the SNR figure, on hand-checkable cases (no TensorFlow)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig
from quantize.qkeras_check import codes_from_real, derive_tolerance, float32_error_lsb, max_abs_row_sums, snr_db
from quantize.weights import QuantizedLayer, QuantizedNetwork


def two_layer_network(rounding: str = "half_up") -> QuantizedNetwork:
    config = ModelConfig(layers=(LayerConfig(2, 1, 1), LayerConfig(1, 2, 1)), inputs=("core",), rounding=rounding)
    first = np.array([[[2048, -1024]]])             # row sums 0.5 and 0.25 -> A = 0.5
    second = np.array([[[4096], [-2048]], [[2048], [2048]]])  # 1 + 0.5 + 0.5 + 0.5 -> A = 2.5
    return QuantizedNetwork(config, (QuantizedLayer(first, np.array([0, 0])),
                                     QuantizedLayer(second, np.array([0]))))


def test_row_sums_in_real_units():
    assert max_abs_row_sums(two_layer_network()) == [0.5, 2.5]


def test_tolerance_recursion_by_hand():
    network = two_layer_network()
    max_inputs = [4096.0, 2048.0]
    eps = [float32_error_lsb(network, i, max_inputs[i] + prev) for i, prev in enumerate([0, 1])]
    assert all(0 < e < 0.01 for e in eps)  # float32 is far from mattering at these magnitudes
    # layer 0: floor(0.5 + 0.5 + eps) = 1; layer 1: floor(1 + eps + 2.5 * 1) = 3
    assert derive_tolerance(network, max_inputs) == [1, 3]
    # floor's rounding error is below 1 LSB, not 0.5: layer 1 gets floor(1.5 + eps + 2.5 * 1) = 4
    assert derive_tolerance(two_layer_network("floor"), max_inputs) == [1, 4]


def test_float32_bound_formula():
    network = two_layer_network()
    n = 2 * 2 + 1  # K*C products plus the bias
    gamma = n * 2.0 ** -24 / (1 - n * 2.0 ** -24)
    # layer 1: row sum 2.5 (real) times the largest input 8.0 (real), in output LSBs (x 4096)
    assert math.isclose(float32_error_lsb(network, 1, 32768.0), gamma * 2.5 * 8.0 * 4096)


def test_snr():
    assert snr_db(np.array([1.0, -1.0]), np.array([1.1, -1.1])) == pytest.approx(20.0)
    assert snr_db(np.array([3.0, 4.0]), np.array([3.0, 4.0])) is None


def test_codes_from_real_requires_the_grid():
    from common.config import FixedFormat

    fmt = FixedFormat(16, 12)
    assert codes_from_real(np.array([0.25, -8.0]), fmt).tolist() == [1024, -32768]
    with pytest.raises(ValueError, match="not on the FP4.12 grid"):
        codes_from_real(np.array([0.1]), fmt)
    with pytest.raises(ValueError, match="outside"):
        codes_from_real(np.array([8.0]), fmt)
