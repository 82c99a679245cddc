"""weights.npz that does not match its config.json: a WeightsError naming the file and the arrays, and the
hardware stages' commands refuse it before any work."""

from __future__ import annotations

import re

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig
from quantize.weights import QuantizedNetwork, WeightsError, random_network

CONFIG = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(2, 2, 2), LayerConfig(1, 2, 4)))


def _saved(tmp_path, drop=(), add=None):
    directory = tmp_path / "w"
    random_network(CONFIG, np.random.default_rng(1)).save(directory)
    with np.load(directory / "weights.npz") as data:
        arrays = {name: data[name] for name in data.files if name not in drop}
    arrays.update(add or {})
    np.savez(directory / "weights.npz", **arrays)
    return directory


def test_missing_layer_is_named(tmp_path):
    directory = _saved(tmp_path, drop=("w1", "b1"))
    with pytest.raises(WeightsError, match=rf"^{re.escape(str(directory / 'weights.npz'))} has no array b1, w1 "
                                           r"\(config\.json has 3 layers: w0\.\.w2, b0\.\.b2\)"):
        QuantizedNetwork.load(directory)


def test_extra_layer_is_named(tmp_path):
    directory = _saved(tmp_path, add={"w3": np.zeros((2, 1, 1), np.int32), "b3": np.zeros(1, np.int32)})
    with pytest.raises(WeightsError, match=r"weights\.npz has array\(s\) b3, w3 that config\.json \(3 layers\) "
                                           r"does not have"):
        QuantizedNetwork.load(directory)


def test_unreadable_file_is_named(tmp_path):
    directory = _saved(tmp_path)
    good = (directory / "weights.npz").read_bytes()
    for damaged in (b"not a zip archive", good[:len(good) // 2]):  # garbage; a truncated archive
        (directory / "weights.npz").write_bytes(damaged)
        with pytest.raises(WeightsError, match=r"weights\.npz is not a readable \.npz file"):
            QuantizedNetwork.load(directory)


@pytest.mark.parametrize("command", [["rtl", "--clock-hz", "100000000", "--multipliers", "8"], ["bitstream", "rtl"]])
def test_commands_refuse_it_before_any_work(tmp_path, capsys, command):
    import importlib

    directory = _saved(tmp_path, drop=("w2",))
    main = importlib.import_module(f"{command[0]}.__main__").main
    assert main([*command[1:], "--weights", str(directory), "--out", str(tmp_path / "out")]) == 2
    assert "has no array w2" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
