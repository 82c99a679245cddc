"""golden batch == golden streaming == an independent fxpmath evaluation, as integers; and a golden
model with the wrong rounding is caught by the fxpmath one."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig
from quantize.fxp_reference import run_fxpmath
from quantize.golden import first_divergence, run_batch, run_streaming
from quantize.weights import QuantizedLayer, QuantizedNetwork, random_network

from .conftest import default_config, stress_input, varied_configs

SAMPLES = 120  # fxpmath is slow; the receptive field of the default network is 64


def assert_three_agree(network: QuantizedNetwork, x: np.ndarray) -> None:
    batch, streaming = run_batch(network, x), run_streaming(network, x)
    fxp = run_fxpmath(network, x)
    assert first_divergence(streaming, batch.activations) is None, first_divergence(streaming, batch.activations)
    assert first_divergence(batch, fxp) is None, first_divergence(batch, fxp)
    for b, s, f in zip(batch.activations, streaming.activations, fxp, strict=True):
        assert np.array_equal(b, s) and np.array_equal(b, f)


@pytest.mark.parametrize("name", sorted(varied_configs()))
def test_golden_batch_streaming_fxpmath_agree(name, rng):
    config = varied_configs()[name]
    for scale, extremes in ((0.3, 0.0), (0.6, 0.15)):
        network = random_network(config, rng, scale=scale, extremes=extremes)
        assert_three_agree(network, stress_input(config, rng, SAMPLES))


def test_audio_level_signal_rounds_rather_than_saturates(rng):
    """Small inputs and weights: nothing saturates, so every output depends on the rounding."""
    config = default_config()
    network = random_network(config, rng, scale=0.15, extremes=0.0)
    x = np.rint(rng.normal(0, 0.2 * 4096, size=(SAMPLES, config.n_inputs))).astype(np.int64)
    result = run_batch(network, x)
    assert np.abs(result.output).max() < config.data_format.max_int
    assert_three_agree(network, x)


def test_a_floor_golden_disagrees_with_fxpmath_half_up(rng):
    """The comparison can fail: golden evaluated with floor instead of half_up differs from fxpmath."""
    config = default_config()
    network = random_network(config, rng, scale=0.3, extremes=0.0)
    x = stress_input(config, rng, SAMPLES)
    fxp_half_up = run_fxpmath(network, x)
    wrong = QuantizedNetwork(config.replace(rounding="floor"), network.layers)
    golden_floor = run_batch(wrong, x)
    message = first_divergence(golden_floor, fxp_half_up)
    assert message is not None
    differing = sum(int((g != f).sum()) for g, f in zip(golden_floor.activations, fxp_half_up, strict=True))
    assert differing > 100  # about half of all unsaturated outputs


@pytest.mark.parametrize("golden_rounding, fxp_rounding", [("half_up", "half_even"), ("half_even", "half_up")])
def test_ties_distinguish_half_up_from_half_even(golden_rounding, fxp_rounding):
    """Exact ties (x * 0.5 with odd x) are the only place the two round-to-nearest modes differ."""
    config = ModelConfig(layers=(LayerConfig(1, 1, 1),), inputs=("core",))
    layer = QuantizedLayer(np.array([[[2048]]]), np.array([0]))
    x = np.array([[1], [3], [-1], [-3], [5]])
    golden = run_batch(QuantizedNetwork(config.replace(rounding=golden_rounding), (layer,)), x)
    fxp = run_fxpmath(QuantizedNetwork(config.replace(rounding=fxp_rounding), (layer,)), x)
    assert not np.array_equal(golden.output, fxp[-1])
    same = run_fxpmath(QuantizedNetwork(config.replace(rounding=golden_rounding), (layer,)), x)
    assert np.array_equal(golden.output, same[-1])


def test_fxpmath_rejects_wrong_input_shape(rng):
    network = random_network(default_config(), rng)
    with pytest.raises(ValueError, match="shape"):
        run_fxpmath(network, np.zeros((4, 2), dtype=np.int64))
