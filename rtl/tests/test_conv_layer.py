"""ConvLayer alone against the golden ``conv_step`` (RingCache + requantize), sample by sample."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.golden import RingCache, aligned_bias, conv_step, requantize
from quantize.weights import QuantizedLayer, random_network
from rtl.conv_layer import ConvLayer
from rtl.plan import make_plan

from .harness import random_codes, simulate_stream, unsaturated_fraction


def _golden_layer(cfg: ModelConfig, index: int, layer: QuantizedLayer, x: np.ndarray) -> np.ndarray:
    cache = RingCache(cfg.in_channels(index), cfg.layers[index].history + 1)
    out = []
    for vector in x:
        cache.push(vector)
        out.append(conv_step(cfg, index, layer.weights, layer.bias, cache))
    return np.array(out, dtype=np.int64)


def _layer_input(cfg: ModelConfig, index: int, rng, samples: int) -> np.ndarray:
    x = random_codes(cfg.data_format, rng, (samples, cfg.in_channels(index)))
    if index > 0 and cfg.activation == "relu":
        x = np.maximum(x, 0)  # a hidden layer only ever sees ReLU outputs, but any code must work
    return x


CASES = [
    # (layers, index under test, lanes, rounding, data format, weight format)
    ([LayerConfig(5, 3, 1), LayerConfig(3, 2, 2)], 0, 1, "half_up", FixedFormat(16, 12), FixedFormat(16, 12)),
    ([LayerConfig(5, 3, 1), LayerConfig(3, 2, 2)], 0, 5, "floor", FixedFormat(16, 12), FixedFormat(16, 12)),
    ([LayerConfig(5, 3, 1), LayerConfig(3, 2, 2)], 1, 2, "half_even", FixedFormat(16, 12), FixedFormat(16, 12)),
    ([LayerConfig(4, 2, 1), LayerConfig(6, 3, 2), LayerConfig(1)], 1, 4, "half_even",
     FixedFormat(12, 8), FixedFormat(10, 7)),
    ([LayerConfig(2, 4, 1), LayerConfig(3, 1, 1)], 1, 3, "half_up", FixedFormat(18, 14), FixedFormat(18, 15)),
    ([LayerConfig(3, 1, 1)], 0, 2, "floor", FixedFormat(8, 4), FixedFormat(8, 6)),
]


@pytest.mark.parametrize("layers,index,lanes,rounding,data_fmt,weight_fmt", CASES)
def test_conv_layer_matches_conv_step(layers, index, lanes, rounding, data_fmt, weight_fmt):
    cfg = ModelConfig(layers=layers, rounding=rounding, data_format=data_fmt, weight_format=weight_fmt)
    rng = np.random.default_rng(len(layers) * 10 + index)
    net = random_network(cfg, rng, scale=0.35, extremes=0.05)
    lane_list = [1] * len(layers)
    lane_list[index] = lanes
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=64, lanes=lane_list)
    samples = 3 * cfg.layers[index].history + 12
    x = _layer_input(cfg, index, rng, samples)
    expected = _golden_layer(cfg, index, net.layers[index], x)
    dut = ConvLayer(cfg, index, net.layers[index], plan.layers[index])
    got, _ = simulate_stream(dut, x, cfg.layers[index].filters, ready_probability=0.7, valid_probability=0.8,
                             seed=index)
    assert got.shape == expected.shape
    assert unsaturated_fraction(expected, cfg.data_format) > 0.25  # the test compares arithmetic, not clamps
    bad = np.argwhere(got != expected)
    assert not len(bad), f"first mismatch at sample/channel {bad[0]}: golden {expected[tuple(bad[0])]}, " \
                         f"got {got[tuple(bad[0])]}"


@pytest.mark.parametrize("rounding", ["half_up", "floor", "half_even"])
@pytest.mark.parametrize("relu", [True, False])
def test_requantization_ties_and_saturation(rounding, relu):
    """A 1x1 layer whose accumulators sweep every rounding residue, exact ties and both saturation sides;
    each output is compared with the golden ``requantize`` of the exact accumulator."""
    fmt = FixedFormat(16, 12)
    layers = [LayerConfig(3, 1, 1)] + ([LayerConfig(1, 1, 1)] if relu else [])
    cfg = ModelConfig(layers=layers, inputs=("core",), rounding=rounding, data_format=fmt, weight_format=fmt)
    shift = cfg.requant_shift
    half = 1 << (shift - 1)
    # channel 0: weight 1 -> acc residue = x mod 2^shift: ties at x = half + m * 2^shift (odd and even m)
    # channel 1: weight max -> large products that saturate high and low; channel 2: weight min, bias -1.
    weights = np.array([[[1, fmt.max_int, fmt.min_int]]], dtype=np.int64)
    bias = np.array([0, 3, -1], dtype=np.int64)
    layer = QuantizedLayer(weights, bias)
    ties = [half + m * (1 << shift) for m in range(-4, 4)]
    sweep = list(range(-3 * half, 3 * half, 257)) + ties + [t + 1 for t in ties] + [t - 1 for t in ties]
    sweep += [fmt.min_int, fmt.max_int, 0, 1, -1, 2, -2]
    x = np.array(sweep, dtype=np.int64).reshape(-1, 1)
    acc = x @ weights[0] + aligned_bias(cfg, bias)
    expected = requantize(acc, cfg, relu=relu)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=8, lanes=[3] + [1] * (len(layers) - 1))
    dut = ConvLayer(cfg, 0, layer, plan.layers[0])
    got, _ = simulate_stream(dut, x, 3)
    bad = np.argwhere(got != expected)
    assert not len(bad), f"x={x[bad[0][0], 0]} channel {bad[0][1]}: golden {expected[tuple(bad[0])]}, " \
                         f"got {got[tuple(bad[0])]}"
    # the sweep really does cover what it claims
    assert np.any(expected == fmt.max_int) and (relu or np.any(expected == fmt.min_int))
    assert np.any((acc[:, 0] & ((1 << shift) - 1)) == half)
