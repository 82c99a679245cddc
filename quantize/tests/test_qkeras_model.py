"""Against a real (tiny) QKeras model trained for a few steps here: the export equals QKeras' quantized
weights, golden vs QKeras differs only by one LSB at ties, layer by layer on identical inputs (and a golden
model that rounds the wrong way, or a wrong network, does not), and the ``python -m quantize`` command end
to end, including the bit-exact fxpmath check and saturation handling. About 30 s (TensorFlow)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.io import wavfile

from common.config import LayerConfig, ModelConfig
from quantize.__main__ import main
from quantize.export import (
    QuantizeError,
    check_against_qkeras,
    convert_weights,
    float_weights,
    load_trained_model,
    qkeras_weight_codes,
    stored_float_weights,
)
from quantize.qkeras_check import compare_with_qkeras
from quantize.weights import QuantizedLayer, QuantizedNetwork, random_network

pytestmark = pytest.mark.slow

SMOKE_SIZES = dict(window=128, segment_seconds=0.02, train_segments=1, val_segments=1, test_segments=1,
                   fmin_hz=440.0, fmax_hz=4186.0)


def tiny_config() -> ModelConfig:
    return ModelConfig(layers=(LayerConfig(4, 3, 1), LayerConfig(4, 3, 2), LayerConfig(1, 2, 4)), name="tiny")


def grid_inputs(rng, shape, amplitude=1.0) -> np.ndarray:
    return (np.rint(rng.uniform(-amplitude, amplitude, size=shape) * 4096) / 4096).astype(np.float32)


def save_trained(model, config, directory, seed=3):
    """What ``make train`` leaves behind: model.h5, config.json and a report naming the data used."""
    from train.artifacts import save_model

    save_model(model, config, directory)
    (directory / "report.json").write_text(json.dumps({"data": "synthetic", "settings": {"seed": seed, **SMOKE_SIZES}}))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny QKeras model, trained for a few steps on a nonlinear target, saved like ``make train``."""
    import tensorflow as tf

    from train.model import build_model

    config = tiny_config()
    tf.keras.utils.set_random_seed(7)
    model = build_model(config)
    rng = np.random.default_rng(7)
    x = grid_inputs(rng, (32, 128, config.n_inputs))
    y = np.tanh(3 * x[..., :1]) + 0.3 * x[..., 1:2] * x[..., :1]
    model.compile(tf.keras.optimizers.Adam(0.01), "mse")
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    directory = tmp_path_factory.mktemp("train")
    save_trained(model, config, directory)
    return directory


def test_export_equals_qkeras_quantized_weights(trained):
    model, config = load_trained_model(trained)
    network, saturated = convert_weights(float_weights(model, config), config)
    assert saturated == []
    codes = qkeras_weight_codes(model, config)
    check_against_qkeras(network, codes)
    # the training moved the weights off the grid, so the conversion had real rounding to do
    kernel = float_weights(model, config)[1][0]
    assert np.any(kernel * 4096 != np.rint(kernel * 4096))


def test_stored_weights_are_the_loaded_models(trained):
    """``quantize.score`` reads model.h5 with h5py instead of loading the model: the very same arrays."""
    model, config = load_trained_model(trained)
    stored, stored_config = stored_float_weights(trained)
    assert stored_config == config
    for (kernel, bias), (want_kernel, want_bias) in zip(stored, float_weights(model, config), strict=True):
        assert kernel.dtype == bias.dtype == np.float64
        assert np.array_equal(kernel, want_kernel) and np.array_equal(bias, want_bias)


def test_stored_weights_of_a_model_short_of_a_layer(trained, tmp_path):
    import h5py

    for name in ("model.h5", "config.json"):
        (tmp_path / name).write_bytes((trained / name).read_bytes())
    with h5py.File(tmp_path / "model.h5", "r+") as h5:
        del h5["model_weights/conv2"]
    with pytest.raises(QuantizeError, match=r"^the model has no layer conv2, but the config has 3 layers$"):
        stored_float_weights(tmp_path)


def test_golden_differs_from_qkeras_only_at_ties(trained):
    model, config = load_trained_model(trained)
    network, _ = convert_weights(float_weights(model, config), config)
    rng = np.random.default_rng(1)
    n = config.n_inputs
    x = np.concatenate([grid_inputs(rng, (4, 400, n)), grid_inputs(rng, (2, 400, n), amplitude=7.9)])
    result = compare_with_qkeras(network, model, x)
    print(f"golden vs QKeras per layer: max error {result.per_layer_max_err_lsb} LSB, differences "
          f"{result.per_layer_differences}, off a tie {result.per_layer_unexplained}, ties {result.per_layer_ties}; "
          f"end to end {result.max_err_lsb} LSB, SNR {result.snr_db} dB")
    assert result.within_tolerance, result.first_unexplained
    assert result.per_layer_tolerance_lsb == [1, 1, 1] and max(result.per_layer_max_err_lsb) <= 1
    assert result.snr_db is None or result.snr_db > 60
    # the check can fail: a network whose last bias is off by 300 LSB
    wrong_layers = list(network.layers)
    wrong_layers[-1] = QuantizedLayer(network.layers[-1].weights, network.layers[-1].bias + 300)
    wrong = compare_with_qkeras(QuantizedNetwork(config, tuple(wrong_layers)), model, x[:4])
    assert not wrong.within_tolerance and wrong.per_layer_max_err_lsb[-1] > 1


def test_golden_that_floors_instead_of_half_up_is_caught(trained, monkeypatch):
    """A golden model whose rounding constant is lost (floor where the config says half_up) differs from
    QKeras by one LSB away from any tie: the layer-by-layer check must reject it."""
    import quantize.golden as golden

    model, config = load_trained_model(trained)
    assert config.rounding == "half_up"
    network, _ = convert_weights(float_weights(model, config), config)
    x = grid_inputs(np.random.default_rng(2), (4, 400, config.n_inputs))
    monkeypatch.setattr(golden, "rounding_constant", lambda config: 0)
    result = compare_with_qkeras(network, model, x)
    assert not result.within_tolerance
    assert result.per_layer_unexplained[0] > 100, result.per_layer_unexplained  # about half of all outputs
    assert "exact accumulator" in result.first_unexplained


def test_default_network_with_random_weights(rng):
    """The default network with random FP4.12 weights (no training), the case where a compounded bound let
    a floor golden model through: half_up passes, floor fails on every layer."""
    import quantize.golden as golden
    from train.model import build_model

    from .conftest import default_config

    config = default_config()
    network = random_network(config, rng, scale=0.15, extremes=0.0)
    model = build_model(config)
    for i, layer in enumerate(network.layers):
        model.get_layer(f"conv{i}").set_weights([layer.weights / 4096.0, layer.bias / 4096.0])
    x = grid_inputs(rng, (4, 600, config.n_inputs))
    x[..., 3] = 0  # the spare input
    assert compare_with_qkeras(network, model, x).within_tolerance
    original = golden.rounding_constant
    try:
        golden.rounding_constant = lambda config: 0
        floor = compare_with_qkeras(network, model, x)
    finally:
        golden.rounding_constant = original
    assert all(n > 50 for n in floor.per_layer_unexplained), floor.per_layer_unexplained


def test_command_end_to_end(trained, tmp_path):
    out, report_dir = tmp_path / "weights", tmp_path / "quantize"
    assert main(["--model-dir", str(trained), "--out", str(out), "--report-dir", str(report_dir),
                 "--sweep-seconds", "0.05"]) == 0
    network = QuantizedNetwork.load(out)
    model, config = load_trained_model(trained)
    check_against_qkeras(network, qkeras_weight_codes(model, config))
    report = json.loads((report_dir / "report.json").read_text())
    for key in ("saturated_weights", "max_err_lsb_vs_qkeras", "per_layer_max_err_lsb_vs_qkeras", "snr_db_vs_qkeras",
                "snr_db_vs_float", "golden_realtime_factor_192k", "fxpmath_samples_checked"):
        assert key in report, key
    assert report["saturated_weights"] == []
    assert report["per_layer_differences_off_tie"] == [0, 0, 0] and max(report["per_layer_max_err_lsb_vs_qkeras"]) <= 1
    # fxpmath evaluated the first test sequences of the smoke split and agreed bit for bit
    n, t = report["test_shape"][:2]
    assert report["fxpmath_samples_checked"] == min(4096, n * t) > 0
    assert report["fxpmath_mismatches_per_layer"] == [0, 0, 0]
    assert report["snr_db_vs_float"] > 20 and report["golden_realtime_factor_192k"] > 0
    assert "load_splits" in report["test_data"] and report["test_shape"][2] == config.n_inputs
    rate, wav = wavfile.read(report_dir / "sweep.wav")
    assert rate == 192_000 and wav.dtype == np.int16 and wav.shape == (9600, 2)


def test_saturation_fails_without_the_flag(trained, tmp_path, capsys):
    model, config = load_trained_model(trained)
    kernel, bias = model.get_layer("conv1").get_weights()
    kernel[2, 1, 3] = 9.5
    model.get_layer("conv1").set_weights([kernel, bias])
    saturating = tmp_path / "train"
    save_trained(model, config, saturating)
    out = tmp_path / "weights"
    assert main(["--model-dir", str(saturating), "--out", str(out), "--report-dir", str(tmp_path / "q")]) == 2
    err = capsys.readouterr().err
    assert "saturated: layer 1 (conv1) kernel[2, 1, 3] = 9.5 saturates to code 32767" in err
    assert "--allow-saturation" in err and not out.exists()
    # with the flag it exports the saturated code, which QKeras' quantizer also clamps to
    model, config = load_trained_model(saturating)
    network, saturated = convert_weights(float_weights(model, config), config)
    assert [(s.layer, s.tensor, s.index) for s in saturated] == [(1, "kernel", (2, 1, 3))]
    check_against_qkeras(network, qkeras_weight_codes(model, config))
    mismatch = r"^layer conv0 kernel\[0, 0, 0\]: fxpmath code -?\d+ != QKeras code -?\d+ \("
    with pytest.raises(QuantizeError, match=mismatch):
        check_against_qkeras(network, [(w + 1, b) for w, b in qkeras_weight_codes(model, config)])


def test_command_fails_and_writes_no_weights_beyond_tolerance(trained, tmp_path, monkeypatch, capsys):
    """If golden and QKeras disagree (here: a golden whose last bias is off by 300 LSB), the command exits 1
    and leaves no weights for the next stage."""
    import quantize.__main__ as cli

    real_compare = cli.compare_with_qkeras

    def compare_with_wrong_golden(network, model, x, **kwargs):
        layers = list(network.layers)
        layers[-1] = QuantizedLayer(layers[-1].weights, layers[-1].bias + 300)
        return real_compare(QuantizedNetwork(network.config, tuple(layers)), model, x, **kwargs)

    monkeypatch.setattr(cli, "compare_with_qkeras", compare_with_wrong_golden)
    out = tmp_path / "weights"
    assert main(["--model-dir", str(trained), "--out", str(out), "--report-dir", str(tmp_path / "q"),
                 "--sweep-seconds", "0.01", "--fxpmath-samples", "200"]) == 1
    assert "golden and QKeras differ" in capsys.readouterr().err
    assert not out.exists()
    report = json.loads((tmp_path / "q" / "report.json").read_text())
    assert report["per_layer_max_err_lsb_vs_qkeras"][-1] > 1


def test_command_fails_when_fxpmath_disagrees(trained, tmp_path, monkeypatch, capsys):
    """``make quantize`` runs fxpmath: an fxpmath evaluation one LSB off in one output code of layer 1 makes
    the command exit 1 without weights."""
    import quantize.fxp_check as fxp_check

    real = fxp_check.run_fxpmath
    calls = []

    def off_by_one(network, x):  # in the first sequence only
        layers = real(network, x)
        if not calls:
            layers[1][5, 2] += 1
        calls.append(len(x))
        return layers

    monkeypatch.setattr(fxp_check, "run_fxpmath", off_by_one)
    out = tmp_path / "weights"
    assert main(["--model-dir", str(trained), "--out", str(out), "--report-dir", str(tmp_path / "q"),
                 "--sweep-seconds", "0.01", "--fxpmath-samples", "300"]) == 1
    err = capsys.readouterr().err
    assert "golden and fxpmath differ in [0, 1, 0] output codes per layer over 300 samples" in err
    assert "sample 5, layer 1, channel 2" in err and not out.exists()
    assert sum(calls) == 300
    report = json.loads((tmp_path / "q" / "report.json").read_text())
    assert report["fxpmath_mismatches_per_layer"] == [0, 1, 0]
