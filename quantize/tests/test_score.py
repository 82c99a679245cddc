"""``python -m quantize.score`` (the second step of ``make train``): the golden model's figures on the test
windows, checked against an independent recomputation, window by window."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from common.config import load_config
from quantize.export import convert_weights, float_weights
from quantize.golden import run_batch
from quantize.score import main as score
from train.__main__ import main as train
from train.artifacts import load_split, load_trained

DEFAULT = "configs/default.toml"


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    out = tmp_path_factory.mktemp("train")
    assert train(["--config", DEFAULT, "--smoke", "--out", str(out), "--quiet"]) == 0
    assert score(["--train-dir", str(out)]) == 0
    return out


def test_report_has_the_golden_figures(scored):
    report = json.loads((scored / "report.json").read_text())
    golden = report["golden"]
    assert report["test_snr_db"] == golden["test_snr_db"]  # the headline is the board's figure
    for group in ("sine", "ramp", "square", "zigzag", "blend", "all"):
        assert np.isfinite(golden["test_snr_db"][group])
    assert np.isfinite(golden["imperfect_test_snr_db"]["all"])
    bands = golden["band_snr_db"]
    assert bands and set(bands) <= {"440-1760", "1760-4186"} and all(len(row) == 6 for row in bands.values())
    harmonics = golden["harmonic_error_db"]["square"]["440"]
    assert len(harmonics["target_db"]) == len(harmonics["output_db"]) == 16
    # a band-limited square has no even harmonics: no error figure there, only the output's level
    assert harmonics["error_db"][1] is None and harmonics["error_db"][0] is not None
    # its fundamental is 4/pi: +2.1 dB re 1.0
    assert harmonics["target_db"][0] == pytest.approx(20 * np.log10(4 / np.pi), abs=0.05)
    assert (scored / "bands.png").stat().st_size > 0
    # each imperfect-core category and the development takes are scored on their own
    assert set(golden["categories"]) == {"curved", "small", "asymmetric", "pitch_steps", "fm"}
    for figures in (*golden["categories"].values(), golden["dev"]):
        assert np.isfinite(figures["test_snr_db"]["all"])
    # the worst cell is the lowest wave x band cell of the table
    cells = [(v, band, group) for band, row in bands.items() for group, v in row.items() if group != "all"]
    worst = golden["worst_cell"]
    assert (worst["snr_db"], worst["band"], worst["group"]) == min(cells)


def test_golden_snr_recomputed_window_by_window(scored):
    """Each test window through the golden model on its own (causal zero padding), SNR by hand: equal to the
    report's, which ran the windows back to back."""
    model, config = load_trained(scored)
    assert config == load_config(DEFAULT)
    network, _ = convert_weights(float_weights(model, config), config)
    report = json.loads((scored / "report.json").read_text())
    skip = config.receptive_field - 1
    golden = report["golden"]
    for name, figures in (("test", golden), ("test_curved", golden["categories"]["curved"]), ("dev", golden["dev"]),
                          ("dev_imperfect", {"test_snr_db": golden["dev"]["imperfect_test_snr_db"]}),
                          ("test_imperfect", {"test_snr_db": golden["imperfect_test_snr_db"]})):
        split = load_split(scored / f"{name}.npz")
        y_hat = np.stack([run_batch(network, np.round(x * 4096).astype(np.int64)).output / 4096 for x in split.x])
        y, e = split.y[:, skip:].astype(np.float64), (split.y - y_hat)[:, skip:].astype(np.float64)
        assert 10 * np.log10(np.sum(y**2) / np.sum(e**2)) == pytest.approx(figures["test_snr_db"]["all"], abs=1e-2)


def test_score_runs_without_tensorflow(scored):
    """The score needs the weights' arrays, not the model: it runs where TensorFlow cannot be imported."""
    code = ("import sys; sys.modules['tensorflow'] = None; from quantize.score import main; "
            f"sys.exit(main(['--train-dir', {str(scored)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]


def test_missing_training_output_is_reported(tmp_path, capsys):
    assert score(["--train-dir", str(tmp_path)]) == 2
    assert f"{tmp_path / 'report.json'} is missing: run `make train` first" in capsys.readouterr().err
