"""Bad input to the quantize stage's commands is named before any work, with exit status 2 and no traceback:
``python -m quantize.listen --seconds`` that is not a finite positive duration, and ``python -m
quantize.score`` on a training directory whose files are corrupt."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from common.config import load_config
from quantize.listen import main as listen
from quantize.score import main as score
from train.artifacts import save_split
from train.dataset import Split


@pytest.mark.parametrize("seconds", ["inf", "-inf", "nan", "-1", "0", "abc", "1e9", "61"])
def test_listen_refuses_a_duration_that_is_not_finite_and_positive(tmp_path, capsys, seconds):
    """``inf`` was an OverflowError from int(inf * fs); nan rendered nothing; a huge one exhausted memory."""
    with pytest.raises(SystemExit) as exit_info:
        listen(["--weights", str(tmp_path / "no-weights"), "--out", str(tmp_path / "out"), f"--seconds={seconds}"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (f"argument --seconds: must be a number of seconds above 0 and at most 60 (e.g. --seconds=1.5), "
            f"got {seconds!r}") in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def _train_dir(tmp_path, config):
    """What ``make train`` leaves, with test windows of the config's shape (the model file is never read: every
    case below fails before it)."""
    out = tmp_path / "train"
    out.mkdir()
    config.to_json(out / "config.json")
    (out / "report.json").write_text(json.dumps({"config": config.name}))
    (out / "model.h5").write_bytes(b"not read")
    rng = np.random.default_rng(0)
    n, t = 3, 128
    split = Split(np.round(rng.uniform(-1, 1, (n, t, config.n_inputs)) * 4096).astype(np.float32) / 4096,
                  rng.uniform(-1, 1, (n, t, 1)).astype(np.float32), np.zeros((n, 2), np.float32),
                  ["sine"] * n, ["s0"] * n)
    save_split(split, out / "test.npz")
    return out, split


def _corrupt_npz(out, split):
    (out / "test.npz").write_bytes(b"PK\x03\x04 this is not a zip archive")


def _truncated_npz(out, split):
    data = (out / "test.npz").read_bytes()
    (out / "test.npz").write_bytes(data[:len(data) // 2])


def _npz_without_targets(out, split):
    np.savez(out / "test.npz", x=split.x, points=split.points, labels=np.array(split.labels),
             segments=np.array(split.segments))


def _npz_of_another_network(out, split):
    save_split(Split(split.x[:, :, :5], split.y, split.points, split.labels, split.segments), out / "test.npz")


def _config_not_json(out, split):
    (out / "config.json").write_text('{"name": "default", "layers": [')


def _config_of_wrong_shape(out, split):
    data = json.loads((out / "config.json").read_text())
    data["inputs"] = "core"
    (out / "config.json").write_text(json.dumps(data))


def _report_not_json(out, split):
    (out / "report.json").write_text("{")


@pytest.mark.parametrize("corrupt, message", [
    (_corrupt_npz, r"test\.npz: not a readable \.npz of test windows \(BadZipFile"),
    (_truncated_npz, r"test\.npz: not a readable \.npz of test windows"),
    (_npz_without_targets, r"test\.npz: not a split of test windows: no 'y' array"),
    (_npz_of_another_network, r"test\.npz: windows of 5 inputs and 1 outputs, but the config 'default' has 7 and 1"),
    (_config_not_json, r"config\.json: not valid JSON: "),
    (_config_of_wrong_shape, r"inputs: must be a list of role names .* got 'core'"),
    (_report_not_json, r"report\.json: not valid JSON"),
])
def test_score_names_a_corrupt_file_before_any_work(tmp_path, capsys, corrupt, message):
    out, split = _train_dir(tmp_path, load_config("configs/default.toml"))
    corrupt(out, split)
    assert score(["--train-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert re.search(message, err), err
    assert "rerun `make train`" in err


def test_score_names_a_model_file_that_is_not_a_model(tmp_path, capsys):
    out, _ = _train_dir(tmp_path, load_config("configs/default.toml"))
    assert score(["--train-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"model\.h5: not a readable model \(.*\); rerun `make train`", err), err
    assert "Traceback" not in err
