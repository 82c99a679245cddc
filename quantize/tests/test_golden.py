"""The golden model: batch == streaming exactly, the float64 batch form is exact, the guards hold,
and hand-derived cases of docs/arithmetic.md come out as the page says."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig, rounding_constant
from quantize import golden
from quantize.golden import first_divergence, run_batch, run_streaming
from quantize.weights import QuantizedLayer, QuantizedNetwork, random_network

from .conftest import default_config, stress_input, varied_configs


def assert_same(expected: golden.GoldenResult, actual: golden.GoldenResult) -> None:
    message = first_divergence(expected, actual.activations)
    assert message is None, message
    for e, a in zip(expected.activations, actual.activations, strict=True):
        assert e.dtype == a.dtype == np.int64
        assert np.array_equal(e, a)


@pytest.mark.parametrize("name", sorted(varied_configs()))
def test_batch_equals_streaming(name, rng):
    config = varied_configs()[name]
    for extremes in (0.0, 0.2):
        network = random_network(config, rng, scale=0.5, extremes=extremes)
        x = stress_input(config, rng, 700)
        batch, streaming = run_batch(network, x, chunk=128), run_streaming(network, x)
        assert_same(streaming, batch)
        fmt = config.data_format
        if extremes:  # the test really reaches the saturation limits
            assert (batch.activations[0] == fmt.max_int).any()


def test_streaming_with_deeper_power_of_two_caches(rng):
    """The RTL rounds cache depths up to a power of two; that must not change any result."""
    config = default_config()
    network = random_network(config, rng, extremes=0.1)
    x = stress_input(config, rng, 400)
    depths = [1 << int(np.ceil(np.log2(lc.history + 1))) + 8 for lc in config.layers]
    assert_same(run_batch(network, x), run_streaming(network, x, depths=depths))


def test_chunking_does_not_matter(rng):
    config = default_config()
    network = random_network(config, rng, extremes=0.05)
    x = stress_input(config, rng, 1000)
    reference = run_batch(network, x, chunk=1000)
    for chunk in (1, 7, 64, 999):
        assert_same(reference, run_batch(network, x, chunk=chunk))


def extreme_network(config: ModelConfig, rng: np.random.Generator) -> QuantizedNetwork:
    """Weights and biases only at or next to full scale, so partial sums get as large as they can."""
    fmt = config.weight_format
    choices = np.array([fmt.min_int, fmt.min_int + 1, fmt.max_int - 1, fmt.max_int])
    layers = []
    for i, lc in enumerate(config.layers):
        shape = (lc.kernel_size, config.in_channels(i), lc.filters)
        layers.append(QuantizedLayer(rng.choice(choices, size=shape), rng.choice(choices, size=lc.filters)))
    return QuantizedNetwork(config, tuple(layers))


@pytest.mark.parametrize("rounding", ["half_up", "floor", "half_even"])
def test_float64_batch_is_exact_against_int64(rounding, rng, monkeypatch):
    """Full-scale weights and inputs: the float64 BLAS path equals the pure int64 path and streaming."""
    config = default_config().replace(rounding=rounding)
    assert config.max_accumulator_bits <= golden.FLOAT64_EXACT_BITS  # the default network takes the float path
    network = extreme_network(config, rng)
    fmt = config.data_format
    x = rng.choice([fmt.min_int, fmt.min_int + 1, fmt.max_int, -1, 1], size=(600, config.n_inputs))
    float_path = run_batch(network, x)
    monkeypatch.setattr(golden, "FLOAT64_EXACT_BITS", 0)  # force the int64 path
    int_path = run_batch(network, x)
    assert_same(int_path, float_path)
    assert_same(run_streaming(network, x), float_path)
    # the largest first-layer accumulator really is large (far beyond float32, near the derived width)
    acc = np.abs(np.einsum("tc,kcf->tf", x[:1].astype(np.int64), network.layers[0].weights)).max()
    assert acc > 2 ** 30


def wide_config(weight_bits: int, data_bits: int) -> ModelConfig:
    return ModelConfig(layers=(LayerConfig(3, 4, 1), LayerConfig(1, 2, 2)), multiplier_width=32,
                       weight_format=FixedFormat(weight_bits, 12), data_format=FixedFormat(data_bits, 12))


def test_53_bit_guard_takes_int64_where_float64_would_be_wrong(rng, monkeypatch):
    config = wide_config(26, 26)
    assert golden.FLOAT64_EXACT_BITS < config.max_accumulator_bits <= golden.INT64_EXACT_BITS
    fmt = config.weight_format
    # float64 really loses bits on this config: 15 odd full-scale products and one even one give an odd
    # sum above 2**53, which no float64 can hold
    x = np.full((4, 4), fmt.max_int, dtype=np.int64)
    w = np.full((4, 4), fmt.max_int, dtype=np.int64)
    w[0, 0] -= 1
    exact = sum(int(a) * int(b) for a, b in zip(x.ravel(), w.ravel(), strict=True))
    assert exact > 2 ** 53 and exact % 2 == 1
    assert int(np.float64(x.ravel().astype(np.float64) @ w.ravel().astype(np.float64))) != exact
    # ... so the batch form must take the int64 path there (it calls the integer requantize) and still
    # equal streaming, and a float64 run would not be trusted
    calls = []
    real_requantize = golden.requantize
    monkeypatch.setattr(golden, "requantize", lambda *a, **k: calls.append(1) or real_requantize(*a, **k))
    network = extreme_network(config, rng)
    data = stress_input(config, rng, 300)
    batch = run_batch(network, data, chunk=64)
    assert len(calls) >= len(config.layers)
    calls.clear()
    assert_same(run_streaming(network, data), batch)
    calls.clear()
    run_batch(random_network(default_config(), rng), stress_input(default_config(), rng, 100))
    assert calls == []  # the default network takes the float64 path


def test_accumulators_beyond_int64_are_refused(rng):
    config = wide_config(32, 32)
    assert config.max_accumulator_bits > 64
    network = random_network(config, rng)
    x = np.zeros((4, config.n_inputs), dtype=np.int64)
    for run in (run_batch, run_streaming):
        with pytest.raises(ValueError, match="do not fit"):
            run(network, x)


def one_tap_network(rounding: str, weight: int, bias: int = 0) -> QuantizedNetwork:
    config = ModelConfig(layers=(LayerConfig(1, 1, 1),), inputs=("core",), rounding=rounding)
    return QuantizedNetwork(config, (QuantizedLayer(np.array([[[weight]]]), np.array([bias])),))


@pytest.mark.parametrize("rounding, expected", [
    # y = round(x * 0.5) for x = 3, -3, 5, -5, 4 (codes): ties 1.5, -1.5, 2.5, -2.5 and an exact 2
    ("half_up", [2, -1, 3, -2, 2]),
    ("half_even", [2, -2, 2, -2, 2]),
    ("floor", [1, -2, 2, -3, 2]),
])
def test_rounding_modes_on_exact_ties(rounding, expected):
    network = one_tap_network(rounding, weight=2048)  # 0.5 in FP4.12
    x = np.array([[3], [-3], [5], [-5], [4]])
    assert run_batch(network, x).output[:, 0].tolist() == expected
    assert run_streaming(network, x).output[:, 0].tolist() == expected


def test_saturation_and_bias_on_the_last_layer():
    """A linear last layer saturates at both ends (never wraps) and adds the bias at weight scale."""
    network = one_tap_network("half_up", weight=32767, bias=-4096)  # w ~ 8.0, b = -1.0
    x = np.array([[32767], [-32768], [0], [512]])
    # 8*8 saturates high, -8*8 low, 0 -> bias -1.0 = -4096, 0.125*(32767/4096) - 1 = -0.000030.. -> round
    expected = [32767, -32768, -4096, round((512 * 32767) / 4096 - 4096)]
    assert run_batch(network, x).output[:, 0].tolist() == expected


def test_relu_on_hidden_layers_only():
    config = ModelConfig(layers=(LayerConfig(1, 1, 1), LayerConfig(1, 1, 1)), inputs=("core",))
    minus_one = -4096
    layers = (QuantizedLayer(np.array([[[4096]]]), np.array([0])),
              QuantizedLayer(np.array([[[4096]]]), np.array([minus_one])))
    network = QuantizedNetwork(config, layers)
    result = run_batch(network, np.array([[-100], [100]]))
    assert result.activations[0][:, 0].tolist() == [0, 100]  # hidden ReLU
    assert result.output[:, 0].tolist() == [-4096, 100 - 4096]  # linear output may go negative


def test_causal_zero_padding_and_tap_order():
    """Tap k = K-1 sees the newest sample; before t = 0 the inputs are zero."""
    config = ModelConfig(layers=(LayerConfig(1, 2, 1), LayerConfig(1, 3, 2)), inputs=("core",))
    identity = np.array([[[0]], [[4096]]])  # only the newest tap
    oldest = np.array([[[4096]], [[0]], [[0]]])  # only the oldest tap (t - 2*2 = t - 4)
    network = QuantizedNetwork(config, (QuantizedLayer(identity, np.array([0])),
                                        QuantizedLayer(oldest, np.array([0]))))
    x = np.arange(1, 9).reshape(-1, 1) * 10
    expected = [0, 0, 0, 0, 10, 20, 30, 40]
    assert run_batch(network, x).output[:, 0].tolist() == expected
    assert run_streaming(network, x).output[:, 0].tolist() == expected


def test_bad_inputs_are_rejected(rng):
    network = random_network(default_config(), rng)
    n = network.config.n_inputs
    with pytest.raises(ValueError, match="shape"):
        run_batch(network, np.zeros((5, n - 1), dtype=np.int64))
    with pytest.raises(TypeError, match="integer"):
        run_batch(network, np.zeros((5, n)))
    with pytest.raises(ValueError, match="must lie in"):
        run_batch(network, np.full((5, n), 40000))


def test_first_divergence_names_sample_layer_channel(rng):
    network = random_network(default_config(), rng)
    x = stress_input(network.config, rng, 50)
    expected = run_batch(network, x)
    changed = [a.copy() for a in expected.activations]
    changed[1][17, 3] += 1
    assert first_divergence(expected, changed) == (
        f"first divergence at sample 17, layer 1, channel 3: golden {expected.activations[1][17, 3]}, "
        f"got {expected.activations[1][17, 3] + 1}")


def test_bias_is_aligned_by_the_data_fraction_bits():
    """With weight FP3.7 and data FP4.8 (wf != df) a bias of 0.25 (code 32 at 7 fraction bits) plus
    1.0 * 0.5 must give 0.75 = code 192 at 8 fraction bits."""
    config = ModelConfig(layers=(LayerConfig(1, 1, 1),), inputs=("core",),
                         weight_format=FixedFormat(10, 7), data_format=FixedFormat(12, 8))
    network = QuantizedNetwork(config, (QuantizedLayer(np.array([[[64]]]), np.array([32])),))  # w = 0.5
    x = np.array([[256], [0]])  # 1.0, 0.0
    assert run_batch(network, x).output[:, 0].tolist() == [192, 64]
    assert run_streaming(network, x).output[:, 0].tolist() == [192, 64]


def test_empty_signal(rng):
    network = random_network(default_config(), rng)
    x = np.zeros((0, network.config.n_inputs), dtype=np.int64)
    for run in (run_batch, run_streaming):
        result = run(network, x)
        assert [a.shape for a in result.activations] == [(0, 16), (0, 16), (0, 1)]


def test_aligned_bias_by_hand():
    """The accumulator's start value (shared by the golden model and the RTL's ROM of biases), by hand:
    FP4.12 x FP4.12 shifts the bias by the 12 data fraction bits and half_up adds R = 2**11 = 2048;
    weights FP3.7 (10 bits) with data FP4.8 shift by 8 and add R = 2**6 = 64."""
    fp412 = ModelConfig(layers=(LayerConfig(1),))
    assert golden.aligned_bias(fp412, np.array([3, -1, 0])).tolist() == [3 * 4096 + 2048, -4096 + 2048, 2048]
    assert golden.aligned_bias(fp412.replace(rounding="half_even"), np.array([3])).tolist() == [12288]
    assert golden.aligned_bias(fp412.replace(rounding="floor"), np.array([-3])).tolist() == [-12288]
    narrow = ModelConfig(layers=(LayerConfig(1),), weight_format=FixedFormat(10, 7), data_format=FixedFormat(12, 8))
    assert golden.aligned_bias(narrow, np.array([3, -512])).tolist() == [3 * 256 + 64, -512 * 256 + 64]


@pytest.mark.parametrize("name", sorted(varied_configs()))
def test_layer_accumulators_are_what_requantize_rounds(name, rng):
    """The exact accumulators (no R) plus R, requantized, are the batch model's activations."""
    config = varied_configs()[name]
    network = random_network(config, rng)
    x = stress_input(config, rng, 150)
    result = golden.run_batch(network, x)
    inputs = x
    for i, activation in enumerate(result.activations):
        acc = golden.layer_accumulators(network, i, inputs) + rounding_constant(config)
        relu = i < len(config.layers) - 1
        assert np.array_equal(golden.requantize(acc, config, relu=relu), activation), f"layer {i}"
        inputs = activation
