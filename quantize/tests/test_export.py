"""Float -> FP4.12 conversion, saturation reporting and the bad-input errors (no TensorFlow here)."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.__main__ import main
from quantize.export import (
    QuantizeError,
    check_against_qkeras,
    convert_weights,
    load_trained_model,
    to_fixed_codes,
)
from quantize.weights import QuantizedLayer, QuantizedNetwork, WeightsError

from .conftest import default_config

FP412 = FixedFormat(16, 12)


def test_conversion_rounds_half_to_even_like_qkeras():
    lsb = 1 / 4096
    values = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 0.51]) * lsb
    assert to_fixed_codes(values, FP412).tolist() == [0, 2, 2, 0, -2, -2, 0, 1]
    # 1.2345 * 4096 = 5056.51 rounds up (fxpmath's default, trunc, would give 5056)
    assert to_fixed_codes(np.array([1.2345]), FP412).tolist() == [5057]


def test_conversion_saturates_at_both_ends_and_keeps_shape():
    values = np.array([[-8.0, 8.0 - 1 / 4096], [9.0, -100.0]])
    codes = to_fixed_codes(values, FP412)
    assert codes.shape == (2, 2)
    assert codes.tolist() == [[-32768, 32767], [32767, -32768]]


def tiny_config() -> ModelConfig:
    return ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 2)), inputs=("core", "e0"))


def float_layers(config: ModelConfig, rng) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(rng.uniform(-1, 1, size=(lc.kernel_size, config.in_channels(i), lc.filters)),
             rng.uniform(-1, 1, size=lc.filters)) for i, lc in enumerate(config.layers)]


def test_every_saturating_value_is_reported_with_layer_and_index(rng):
    config = tiny_config()
    layers = float_layers(config, rng)
    layers[1][0][1, 2, 0] = 9.25
    layers[0][1][2] = -8.5
    layers[0][0][0, 0, 0] = 8.0 - 0.6 / 4096  # rounds down onto the largest code: no saturation
    layers[0][0][0, 1, 0] = 8.0 - 0.5 / 4096  # a tie to even rounds up to 8.0: saturates by rounding
    network, saturated = convert_weights(layers, config)
    found = {(s.layer, s.tensor, s.index): s for s in saturated}
    assert set(found) == {(1, "kernel", (1, 2, 0)), (0, "bias", (2,)), (0, "kernel", (0, 1, 0))}
    assert found[(1, "kernel", (1, 2, 0))].value == 9.25 and found[(1, "kernel", (1, 2, 0))].code == 32767
    assert found[(0, "bias", (2,))].code == -32768
    assert "layer 1 (conv1) kernel[1, 2, 0] = 9.25" in str(found[(1, "kernel", (1, 2, 0))])
    assert network.layers[1].weights[1, 2, 0] == 32767 and network.layers[0].weights[0, 0, 0] == 32767
    assert found[(0, "bias", (2,))].to_dict() == {"layer": 0, "tensor": "bias", "index": [2], "value": -8.5,
                                                  "saturated_code": -32768}


def test_in_range_weights_convert_exactly(rng):
    config = tiny_config()
    layers = [(np.rint(k * 4096) / 4096, np.rint(b * 4096) / 4096) for k, b in float_layers(config, rng)]
    network, saturated = convert_weights(layers, config)
    assert saturated == []
    for (kernel, bias), layer in zip(layers, network.layers, strict=True):
        assert np.array_equal(layer.weights, (kernel * 4096).astype(np.int64))
        assert np.array_equal(layer.bias, (bias * 4096).astype(np.int64))


def test_non_finite_weights_are_rejected(rng):
    config = tiny_config()
    layers = float_layers(config, rng)
    layers[1][0][0, 0, 0] = np.nan
    with pytest.raises(QuantizeError, match=r"layer 1 \(conv1\) kernel\[0, 0, 0\] = nan"):
        convert_weights(layers, config)


def test_out_of_range_codes_are_rejected_naming_layer_and_index(rng):
    config = default_config()
    layers = []
    for i, lc in enumerate(config.layers):
        layers.append(QuantizedLayer(np.zeros((lc.kernel_size, config.in_channels(i), lc.filters), np.int64),
                                     np.zeros(lc.filters, np.int64)))
    layers[1].weights[2, 3, 4] = 40000
    with pytest.raises(WeightsError, match=r"layer 1 kernel\[2, 3, 4\] = 40000 is outside FP4.12"):
        QuantizedNetwork(config, tuple(layers))
    layers[1].weights[2, 3, 4] = 0
    layers[2].bias[0] = -32769
    with pytest.raises(WeightsError, match=r"layer 2 bias\[0\] = -32769"):
        QuantizedNetwork(config, tuple(layers))


def test_weights_save_and_load_round_trip(tmp_path, rng):
    network, _ = convert_weights(float_layers(tiny_config(), rng), tiny_config())
    network.save(tmp_path / "w")
    loaded = QuantizedNetwork.load(tmp_path / "w")
    assert loaded.config == network.config
    for a, b in zip(loaded.layers, network.layers, strict=True):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
    assert {p.name for p in (tmp_path / "w").iterdir()} == {"weights.npz", "config.json", "manifest.json"}


def test_mismatch_with_qkeras_codes_is_named(rng):
    network, _ = convert_weights(float_layers(tiny_config(), rng), tiny_config())
    codes = [(layer.weights.copy(), layer.bias.copy()) for layer in network.layers]
    check_against_qkeras(network, codes)
    codes[1][0][0, 1, 0] += 1
    with pytest.raises(QuantizeError, match=r"layer conv1 kernel\[0, 1, 0\]: fxpmath code"):
        check_against_qkeras(network, codes)


def test_missing_model_dir_gives_a_clear_error(tmp_path, capsys):
    with pytest.raises(QuantizeError, match="does not exist: run `make train` first"):
        load_trained_model(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(QuantizeError, match=r"model.h5 is missing"):
        load_trained_model(tmp_path / "empty")
    assert main(["--model-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "w"),
                 "--report-dir", str(tmp_path / "q")]) == 2
    assert "does not exist: run `make train` first" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()
