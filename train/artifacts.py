"""What ``make train`` leaves in ``build/train/`` and how later stages read it back.

* ``model.h5``: the QKeras model (HDF5: ``.keras`` files hang ``qkeras.utils.load_qmodel`` in TF 2.15);
* ``config.json``: the ModelConfig it was trained for (``ModelConfig.to_json``);
* ``test.npz`` (and ``test_imperfect.npz`` for the synthetic data): the held-out test windows exactly as
  evaluated, so ``quantize/score.py`` scores the integer golden model on the same samples;
* ``report.json``, ``history.csv``, ``loss.png``, ``wavetable.png``.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np

from common.config import ModelConfig
from train.dataset import Split
from train.errors import DatasetError

__all__ = ["MODEL_FILE", "CONFIG_FILE", "save_model", "load_trained", "save_split", "load_split"]

MODEL_FILE = "model.h5"
CONFIG_FILE = "config.json"


def save_model(model, config: ModelConfig, directory: str | Path) -> None:
    """Write ``model.h5`` (no optimizer state: the loss is a closure) and ``config.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # Keras calls HDF5 "legacy"; it is the format load_qmodel reloads
        warnings.filterwarnings("ignore", message=".*HDF5 file.*")
        warnings.filterwarnings("ignore", message=".*constraints.serialize.*")  # QKeras quantizers; harmless
        model.save(directory / MODEL_FILE, include_optimizer=False)
    config.to_json(directory / CONFIG_FILE)


def load_trained(directory: str | Path = "build/train"):
    """``(qkeras_model, config)`` from a training output directory."""
    directory = Path(directory)
    path = directory / MODEL_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; run `make train` first")
    from qkeras.utils import load_qmodel

    model = load_qmodel(str(path), compile=False)
    return model, ModelConfig.from_json(directory / CONFIG_FILE)


def save_split(split: Split, path: str | Path) -> None:
    """One split's windows as ``.npz`` (inputs as float32: FP4.12 codes / 4096 are exact in float32)."""
    arrays = {"x": split.x, "y": split.y, "points": split.points, "labels": np.array(split.labels),
              "segments": np.array(split.segments)}
    if split.freq is not None:
        arrays["freq"] = split.freq
    # np.savez_compressed's zlib level 6 costs about 1.4 s a set of four takes; level 1 writes the same
    # arrays, about as small, in a third of the time (np.load reads either).
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, array in arrays.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(array), allow_pickle=False)


_SPLIT_ARRAYS = ("x", "y", "points", "labels", "segments")


def load_split(path: str | Path, config: ModelConfig | None = None) -> Split:
    """A split written by :func:`save_split`; with ``config``, its windows must have the config's input and
    output channels. A file that is not such a split raises :class:`~train.errors.DatasetError` naming it."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [name for name in _SPLIT_ARRAYS if name not in data.files]
            if missing:
                raise DatasetError(f"{path}: not a split of test windows: no {missing[0]!r} array")
            split = Split(data["x"], data["y"], data["points"], data["labels"].tolist(), data["segments"].tolist(),
                          data["freq"] if "freq" in data.files else None)
    except DatasetError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise DatasetError(f"{path}: not a readable .npz of test windows ({type(exc).__name__}: {exc})") from exc
    n = len(split.x)
    if split.x.ndim != 3 or split.y.ndim != 3 or len(split.y) != n or split.y.shape[1] != split.x.shape[1]:
        raise DatasetError(f"{path}: windows x {split.x.shape} and targets y {split.y.shape} do not match "
                           f"(each must be windows x samples x channels)")
    if len(split.points) != n or len(split.labels) != n or len(split.segments) != n:
        raise DatasetError(f"{path}: {n} windows but {len(split.points)} points, {len(split.labels)} labels and "
                           f"{len(split.segments)} segments")
    if config is not None and (split.x.shape[2] != config.n_inputs or split.y.shape[2] != config.n_outputs):
        raise DatasetError(f"{path}: windows of {split.x.shape[2]} inputs and {split.y.shape[2]} outputs, but the "
                           f"config '{config.name}' has {config.n_inputs} and {config.n_outputs}")
    return split
