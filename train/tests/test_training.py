"""Training: the smoke run writes every artefact, the model reloads, and its weights are FP4.12."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from train.__main__ import main
from train.settings import TrainSettings, load_settings
from train.tests.helpers import DEFAULT_CONFIG, good_takes, write_recording

ARTEFACTS = ("model.h5", "config.json", "report.json", "history.csv", "loss.png", "wavetable.png", "test.npz",
             "test_imperfect.npz")


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    assert main(["--config", str(DEFAULT_CONFIG), "--smoke", "--out", str(out), "--quiet"]) == 0
    return out


def on_fp412_grid(values: np.ndarray) -> bool:
    codes = np.asarray(values, dtype=np.float64) * 4096
    return bool(np.all(codes == np.round(codes)) and np.all(codes >= -32768) and np.all(codes <= 32767))


def test_smoke_run_writes_every_artefact(smoke_run):
    for name in ARTEFACTS:
        assert (smoke_run / name).stat().st_size > 0, name
    report = json.loads((smoke_run / "report.json").read_text())
    assert report["params"] == 1569 and report["epochs"] == 2 and report["qat_epochs"] == 1
    assert report["train_seconds"] > 0
    for section in (report["qkeras"], report["float"]):
        for group in ("sine", "ramp", "square", "zigzag", "blend", "all"):
            assert np.isfinite(section["test_snr_db"][group])
        assert np.isfinite(section["imperfect_test_snr_db"]["all"]) and section["test_mse"] > 0
    # the smoke data lies within 440-4186 Hz: only those bands have rows, each with every group
    bands = report["qkeras"]["band_snr_db"]
    assert bands and set(bands) <= {"440-1760", "1760-4186"} and all(len(row) == 6 for row in bands.values())
    with open(smoke_run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["phase"] for r in rows] == ["float", "float", "quantized"]
    assert report["best_val_loss"] == pytest.approx(min(float(r["val_loss"]) for r in rows[2:]), rel=1e-6)


def test_reload_and_report_consistency(smoke_run, config):
    """load_trained gives the same model; its test SNR recomputed here (independent formula) matches."""
    from train.artifacts import load_trained
    from train.dataset import load_splits
    from train.settings import SMOKE

    model, loaded_config = load_trained(smoke_run)
    assert loaded_config == config
    settings = load_settings(DEFAULT_CONFIG).replace(**SMOKE)
    test = load_splits(config, seed=settings.seed, **settings.data_sizes())["test"]
    y_hat = model.predict(test.x, verbose=0)
    skip = config.receptive_field - 1
    mask = np.array(test.labels) == "blend"
    y, e = test.y[mask][:, skip:].astype(np.float64), (test.y[mask] - y_hat[mask])[:, skip:].astype(np.float64)
    snr = 10 * np.log10(np.sum(y**2) / np.sum(e**2))
    report = json.loads((smoke_run / "report.json").read_text())
    assert snr == pytest.approx(report["qkeras"]["test_snr_db"]["blend"], abs=1e-2)


def test_quantized_weights_are_fp412(smoke_run):
    """Every kernel and bias the hardware will get is a multiple of 2**-12 in [-8, 8), also when the
    float shadow weights wander outside that range."""
    from train.artifacts import load_trained

    model, config = load_trained(smoke_run)
    rng = np.random.default_rng(0)
    for i in range(len(config.layers)):
        layer = model.get_layer(f"conv{i}")
        kernel, bias = layer.get_weights()
        for q, w in ((layer.kernel_quantizer_internal, kernel), (layer.bias_quantizer_internal, bias)):
            trained = np.array(q(w))
            assert on_fp412_grid(trained)
            wild = rng.uniform(-12, 12, size=w.shape).astype(np.float32)
            quantized = np.array(q(wild))
            assert on_fp412_grid(quantized) and quantized.min() >= -8.0 and quantized.max() <= 8 - 2**-12
        extremes = np.array(layer.kernel_quantizer_internal(np.array([-12.0, -8.0, 1e-5, 7.9999, 12.0], np.float32)))
        np.testing.assert_array_equal(extremes, [-8.0, -8.0, 0.0, 8 - 2**-12, 8 - 2**-12])


def test_float_twin_matches_architecture(smoke_run):
    from train.artifacts import load_trained
    from train.fit import float_twin

    model, config = load_trained(smoke_run)
    twin = float_twin(config, model)
    assert twin.count_params() == model.count_params() == config.params
    x = np.zeros((1, 128, config.n_inputs), np.float32)
    x[0, :, 0] = np.round(np.sin(np.arange(128) / 5) * 4096) / 4096
    # Quantization changes outputs only a little for a short smoke model.
    assert np.max(np.abs(twin.predict(x, verbose=0) - model.predict(x, verbose=0))) < 0.05


def test_warmup_steps_do_not_count():
    import tensorflow as tf

    from train.fit import warmup_mse

    loss = warmup_mse(64)
    y = np.zeros((2, 100, 1), np.float32)
    p = y.copy()
    p[:, :63] = 5.0  # errors only in the warm-up
    assert float(loss(tf.constant(y), tf.constant(p))) == 0.0
    p[:, 63] = 1.0  # the first counted step
    assert float(loss(tf.constant(y), tf.constant(p))) == pytest.approx(1 / 37)


def test_weighted_loss_counts_the_high_band_twice():
    import tensorflow as tf

    from train.dataset import Split
    from train.fit import warmup_mse, weighted_targets, weighted_warmup_mse

    rng = np.random.default_rng(3)
    y = rng.normal(size=(3, 100, 1)).astype(np.float32)
    y_hat = rng.normal(size=(3, 100, 1)).astype(np.float32)
    freq = np.full((3, 100), 440.0, np.float32)
    freq[1, 70:] = 1760.0  # at the edge: weighted
    freq[2, 80:] = 1759.9
    split = Split(np.zeros((3, 100, 1), np.float32), y, np.zeros((3, 2), np.float32), ["sine"] * 3, ["s"] * 3, freq)
    weighted = weighted_warmup_mse(64)
    # every weight 1.0: the plain loss, to the bit
    plain = TrainSettings(high_band_weight=1.0)
    assert float(weighted(tf.constant(weighted_targets(split, plain)), tf.constant(y_hat))) == \
        float(warmup_mse(64)(tf.constant(y), tf.constant(y_hat)))
    twice = TrainSettings(high_band_weight=2.0, high_band_hz=1760.0)
    squared = (y - y_hat)[:, 63:, 0].astype(np.float64) ** 2
    squared[1, 70 - 63:] *= 2
    assert float(weighted(tf.constant(weighted_targets(split, twice)), tf.constant(y_hat))) == \
        pytest.approx(squared.mean(), rel=1e-6)
    # recordings carry no frequency track: every weight 1.0
    recorded = Split(split.x, y, split.points, split.labels, split.segments, None)
    assert np.all(weighted_targets(recorded, twice)[..., -1] == 1.0)


@pytest.mark.parametrize("name, value", [("high_band_weight", 0.0), ("high_band_weight", float("nan")),
                                         ("high_band_hz", -1.0)])
def test_high_band_settings_must_be_positive(name, value):
    from common.config import ConfigError

    with pytest.raises(ConfigError, match=rf"^train\.{name}: must be a positive finite number, got "):
        TrainSettings(**{name: value})


def test_validation_epochs_are_sparse_until_the_last_fifth():
    from train.fit import validation_epochs

    epochs = validation_epochs(300)
    assert epochs[:4] == [1, 10, 20, 30] and len(epochs) == 85
    assert set(range(241, 301)) <= set(epochs) and 239 not in epochs
    assert validation_epochs(50) == [1, 10, 20, 30, 40, *range(41, 51)]
    assert validation_epochs(2) == [1, 2] and validation_epochs(1) == [1]


def test_sparse_validation_keeps_the_best_validated_epoch(monkeypatch):
    """A 12-epoch phase validates epochs 1, 10, 11 and 12; the history has NaN for the others, and the weights
    kept are those of the validated epoch with the lowest validation loss."""
    import tensorflow as tf

    from common.config import load_config
    from train.dataset import Split
    from train.fit import _fit
    from train.model import build_model

    config = load_config(DEFAULT_CONFIG)
    rng = np.random.default_rng(5)
    x = np.round(rng.uniform(-1, 1, (16, 96, config.n_inputs)) * 4096).astype(np.float32) / 4096
    y = np.tanh(2 * x[..., :1]).astype(np.float32)
    split = Split(x, y, np.zeros((16, 2), np.float32), ["sine"] * 16, ["s"] * 16)
    settings = TrainSettings(batch_size=8, final_lr_fraction=0.1)
    tf.keras.utils.set_random_seed(5)
    model = build_model(config, quantized=False)
    kept = {}

    class Snapshot(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            kept[epoch] = self.model.get_weights()

    import train.fit as fit

    original = fit._callbacks

    def with_snapshots(*args):
        best, callbacks = original(*args)
        return best, [*callbacks, Snapshot()]

    monkeypatch.setattr(fit, "_callbacks", with_snapshots)
    pair = (split.x, fit.weighted_targets(split, settings))
    history, best = _fit(model, config, settings, {"train": pair, "val": pair}, phase="test", epochs=12,
                         learning_rate=0.01, progress=False, sparse_validation=True)
    validated = [i for i, v in enumerate(history["val_loss"]) if np.isfinite(v)]
    assert validated == [0, 9, 10, 11] and len(history["loss"]) == 12
    assert best == min(validated, key=lambda i: history["val_loss"][i])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), kept[best], strict=True))


def test_cli_rejects_bad_data_before_training(tmp_path, capsys):
    takes = good_takes()
    takes[0]["data"][10:20, 1] = 32767
    manifest = write_recording(tmp_path / "data", takes)
    argv = ["--config", str(DEFAULT_CONFIG), "--data", str(manifest), "--out", str(tmp_path / "o"), "--quiet"]
    assert main(argv) == 2
    assert "clipped" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_default_train_table(tmp_path):
    settings = load_settings(DEFAULT_CONFIG)
    assert settings == TrainSettings()  # the [train] table spells out the code's defaults
    assert settings.window > 64
    bad = tmp_path / "c.toml"
    bad.write_text(DEFAULT_CONFIG.read_text().replace("[train]\n", "[train]\nbogus = 1\n"))
    from common.config import ConfigError

    with pytest.raises(ConfigError, match=r"^train\.bogus"):
        load_settings(bad)


def test_named_recipes(tmp_path):
    """`make train RECIPE=long` applies [train.long] on top of [train]; a missing recipe or an unknown key in
    one is refused by name."""
    from common.config import ConfigError

    base, long = load_settings(DEFAULT_CONFIG), load_settings(DEFAULT_CONFIG, "long")
    assert long.epochs == 1200 and long.replace(epochs=base.epochs) == base
    with pytest.raises(ConfigError, match=r"^train\.short: .* defines no \[train\.short\] recipe \(it has: long\)"):
        load_settings(DEFAULT_CONFIG, "short")
    bad = tmp_path / "c.toml"
    bad.write_text(DEFAULT_CONFIG.read_text() + "bogus = 1\n")  # lands in [train.long]
    with pytest.raises(ConfigError, match=r"^train\.bogus: unknown \[train\.long\] setting"):
        load_settings(bad, "long")
    load_settings(bad)  # the default recipe does not read [train.long]


def test_ecpix5_recipe_with_more_takes_sees_as_many_windows():
    """[train.grow_more_takes] trades epochs for new audio: twice the ideal and imperfect training takes of
    [train.grow], and about as many windows seen in all, so the two compare at the same cost per run."""
    path = DEFAULT_CONFIG.parent / "ecpix5.toml"
    grow, more = load_settings(path, "grow"), load_settings(path, "grow_more_takes")
    assert more.train_segments == 2 * grow.train_segments
    assert more.imperfect_train_segments == 2 * grow.imperfect_train_segments
    seen = [s.epochs * (s.train_segments + s.imperfect_train_segments) for s in (grow, more)]
    assert abs(seen[1] / seen[0] - 1) <= 0.05
    assert more.replace(epochs=grow.epochs, train_segments=grow.train_segments,
                        imperfect_train_segments=grow.imperfect_train_segments) == grow


def _grown_config(tmp_path):
    """The default network widened to 24 channels with one more layer: what ``--init-from`` grows into."""
    import re

    text = DEFAULT_CONFIG.read_text()
    layers = "".join(f"\n[[layers]]\nfilters = {f}\nkernel_size = 4\ndilation = {d}\n"
                     for f, d in ((24, 1), (24, 4), (8, 16), (1, 1)))
    text = re.sub(r"(?s)\[\[layers\]\].*?(?=\n# Training)", layers.strip() + "\n", text)
    text = text.replace('name = "default"', 'name = "grown"')
    path = tmp_path / "grown.toml"
    path.write_text(text)
    return path


def test_init_from_starts_the_larger_network_where_the_smaller_ended(smoke_run, tmp_path):
    out = tmp_path / "grown"
    assert main(["--config", str(_grown_config(tmp_path)), "--smoke", "--init-from", str(smoke_run), "--out", str(out),
                 "--quiet"]) == 0
    grown = json.loads((out / "report.json").read_text())["init_from"]
    assert grown["config"] == "default" and grown["params"] == 1569 and grown["from"] == str(smoke_run)
    assert grown["max_output_difference"] < 1e-4  # float32 rounding: the same function


def test_init_from_errors_come_before_any_work(smoke_run, tmp_path, capsys):
    config = str(_grown_config(tmp_path))
    nowhere = tmp_path / "nowhere"
    assert main(["--config", config, "--smoke", "--init-from", str(nowhere), "--out", str(tmp_path / "o")]) == 2
    assert f"--init-from: {nowhere} holds no trained network (config.json and model.h5)" in capsys.readouterr().err
    assert main(["--config", config, "--smoke", "--init-from", str(smoke_run), "--out", str(smoke_run)]) == 2
    assert "is also the output directory, which this training overwrites" in capsys.readouterr().err
    narrow = _grown_config(tmp_path).read_text().replace("filters = 24", "filters = 12", 1)
    (tmp_path / "narrow.toml").write_text(narrow)
    assert main(["--config", str(tmp_path / "narrow.toml"), "--smoke", "--init-from", str(smoke_run), "--out",
                 str(tmp_path / "o")]) == 2
    assert "cannot grow into 'grown': layer 0 needs at least 16 filters, it has 12" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # refused before any data or training
