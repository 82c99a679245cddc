"""Bad training input is named before any work: a take shorter than one window, manifest fields of the wrong
type, a config file that does not parse (``python -m train`` exits 2 with the message, no traceback)."""

from __future__ import annotations

import json

import pytest

from train.__main__ import main
from train.dataset import DatasetError, load_splits
from train.tests.helpers import DEFAULT_CONFIG, good_takes, write_recording


def test_takes_shorter_than_a_window_are_named(config):
    """0.004 s at 192 kHz is 768 samples: no window of 1024 fits in any split (each used to get 0 windows,
    then TensorFlow failed on an empty dataset)."""
    with pytest.raises(DatasetError, match=r"^train\.segment_seconds: a take of 0\.004 s is 768 samples at 192000 "
                                           r"Hz, shorter than one training window \(train\.window = 1024 samples\)"):
        load_splits(config, segment_seconds=0.004, window=1024)
    # one window exactly is enough
    splits = load_splits(config, segment_seconds=1024 / 192_000, window=1024, train_segments=1, val_segments=1,
                         test_segments=1, imperfect_train_segments=0, imperfect_test_segments=0)
    assert [len(splits[name]) for name in ("train", "val", "test")] == [1, 1, 1]


def test_cli_names_a_take_shorter_than_a_window(tmp_path, capsys):
    text = DEFAULT_CONFIG.read_text()
    assert "segment_seconds = 1.0 " in text
    path = tmp_path / "short.toml"
    path.write_text(text.replace("segment_seconds = 1.0 ", "segment_seconds = 0.004 ", 1))
    assert main(["--config", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "error: train.segment_seconds: a take of 0.004 s is 768 samples" in err and "train.window = 1024" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("config_text, message", [
    ("{not json", "not valid JSON"),
    ('{"layers": 3}', "layers: must be a list of [[layers]] tables, got 3"),
])
def test_cli_names_a_json_config_that_does_not_parse(tmp_path, capsys, config_text, message):
    path = tmp_path / "config.json"
    path.write_text(config_text)
    assert main(["--config", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize("change, pattern", [
    # was a TypeError from joining the manifest's directory with 5
    (lambda m: m["files"][0].update(path=5),
     r"files\[0\]: path must be a non-empty string \(the WAV file's name, relative to the manifest\), got 5"),
    (lambda m: m["files"][1].update(path=""), r"files\[1\]: path must be a non-empty string"),
    (lambda m: m["files"][0].update(segment=["a"]), r"files\[0\]: segment must be a non-empty string"),
    (lambda m: m["files"][0].update(channels=["core", {"role": "sine"}]), r"files\[0\]: unknown channel role"),
    # was "sample_rate_hz is 192000 but the model ... runs at 192000": the string compared unequal
    (lambda m: m.update(sample_rate_hz="192000"),
     r"manifest\.json: sample_rate_hz must be a positive integer \(samples per second\), got '192000'"),
    (lambda m: m.update(sample_rate_hz=192000.0), r"sample_rate_hz must be a positive integer .* got 192000\.0"),
    (lambda m: m.update(sample_rate_hz=True), r"sample_rate_hz must be a positive integer .* got True"),
    (lambda m: m.update(sample_rate_hz=0), r"sample_rate_hz must be a positive integer .* got 0"),
])
def test_manifest_fields_of_the_wrong_type_are_named(config, tmp_path, change, pattern):
    manifest = write_recording(tmp_path, good_takes())
    data = json.loads(manifest.read_text())
    change(data)
    manifest.write_text(json.dumps(data))
    with pytest.raises(DatasetError, match=pattern):
        load_splits(config, data=manifest, window=256)
