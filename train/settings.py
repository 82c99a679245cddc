"""Training hyper-parameters: the ``[train]`` table of the config TOML.

The defaults (also written out in ``configs/default.toml``) are the quality recipe of ``docs/sound.md``,
sized so that the default ``make train`` (synthesis, training, evaluation and the golden-model score)
stays within 10 minutes on 2 CPU cores; ``report.json`` records the wall and CPU time of every run.
``--smoke`` swaps in :data:`SMOKE` for a run of a few seconds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.config import ConfigError, is_integer, is_real, read_toml_table
from train.dataset import HEADLINE_TEST_SEED, DataSizes

__all__ = ["TrainSettings", "load_settings", "SMOKE"]


@dataclass(frozen=True)
class TrainSettings:
    """Everything ``python -m train`` needs besides the model config."""

    #: Seeds numpy, python and TensorFlow, and the synthetic data (the development test sets included).
    seed: int = 1234
    #: Seeds the headline test takes only (``train.dataset.TEST_SETS``): no recipe is tuned on them.
    test_seed: int = HEADLINE_TEST_SEED
    #: Float pre-training epochs (train/fit.py).
    epochs: int = 300
    #: Quantization-aware fine-tuning epochs after it (0: none).
    qat_epochs: int = 3
    batch_size: int = 64
    #: Peak learning rate (Adam) of the pre-training; a cosine decay takes it to ``final_lr_fraction`` of it.
    learning_rate: float = 0.01
    final_lr_fraction: float = 0.01
    #: Peak learning rate of the fine-tuning (the same cosine decay).
    qat_learning_rate: float = 3e-4
    #: L2 weight penalty (0 = off).
    l2: float = 0.0
    #: The loss weighs each output sample whose core is at or above ``high_band_hz`` this many times (1 = plain
    #: MSE): the top band, where edges fall between samples, is the hardest (train/fit.py, docs/sound.md).
    high_band_weight: float = 2.0
    high_band_hz: float = 1760.0
    # Dataset sizes (see train.dataset.DataSizes).
    window: int = DataSizes.window
    segment_seconds: float = DataSizes.segment_seconds
    train_segments: int = DataSizes.train_segments
    val_segments: int = DataSizes.val_segments
    test_segments: int = DataSizes.test_segments
    fmin_hz: float = DataSizes.fmin_hz
    fmax_hz: float = DataSizes.fmax_hz
    recorded_val_segments: int = DataSizes.recorded_val_segments
    recorded_test_segments: int = DataSizes.recorded_test_segments
    imperfect_train_segments: int = DataSizes.imperfect_train_segments
    imperfect_test_segments: int = DataSizes.imperfect_test_segments
    category_train_segments: int = DataSizes.category_train_segments
    category_test_segments: int = DataSizes.category_test_segments

    def __post_init__(self) -> None:
        for name in ("seed", "test_seed"):
            if not is_integer(getattr(self, name)):
                raise ConfigError(f"train.{name}: must be an integer, got {getattr(self, name)!r}")
        if self.test_seed == self.seed:
            raise ConfigError(f"train.test_seed: must differ from train.seed ({self.seed}): the headline test takes "
                              "are drawn from a seed used for nothing else")
        for name in ("epochs", "batch_size", "window", "train_segments", "val_segments",
                     "test_segments", "recorded_val_segments", "recorded_test_segments"):
            value = getattr(self, name)
            if not is_integer(value) or value < 1:
                raise ConfigError(f"train.{name}: must be a positive integer, got {value!r}")
        for name in ("qat_epochs", "imperfect_train_segments", "imperfect_test_segments", "category_train_segments",
                     "category_test_segments"):
            value = getattr(self, name)
            if not is_integer(value) or value < 0:
                raise ConfigError(f"train.{name}: must be a non-negative integer, got {value!r}")
        for name in ("learning_rate", "qat_learning_rate", "segment_seconds", "fmin_hz", "fmax_hz", "high_band_weight",
                     "high_band_hz"):
            value = getattr(self, name)
            if not is_real(value) or not value > 0:
                raise ConfigError(f"train.{name}: must be a positive finite number, got {value!r}")
        if not is_real(self.final_lr_fraction) or not 0 <= self.final_lr_fraction <= 1:
            raise ConfigError(f"train.final_lr_fraction: must be between 0 and 1, got {self.final_lr_fraction!r}")
        if not is_real(self.l2) or self.l2 < 0:
            raise ConfigError(f"train.l2: must be a non-negative finite number, got {self.l2!r}")
        if self.fmin_hz >= self.fmax_hz:
            raise ConfigError(f"train.fmin_hz: must be below fmax_hz ({self.fmax_hz}), got {self.fmin_hz}")

    def data_sizes(self) -> dict[str, Any]:
        """The keyword arguments for ``train.dataset.load_splits``."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(DataSizes)}

    def replace(self, **changes: Any) -> TrainSettings:
        return dataclasses.replace(self, **changes)


#: A few-second run that still exercises every step (tests, ``--smoke``).
SMOKE = dict(epochs=2, qat_epochs=1, batch_size=16, window=256, segment_seconds=0.03, train_segments=2,
             val_segments=1, test_segments=1, fmin_hz=440.0, fmax_hz=4186.0, imperfect_train_segments=1,
             imperfect_test_segments=1, category_train_segments=0, category_test_segments=1)


def load_settings(path: str | Path, recipe: str | None = None) -> TrainSettings:
    """The ``[train]`` table of ``path``, and with ``recipe`` the named sub-table ``[train.<recipe>]`` on top
    of it (``make train RECIPE=long``: a longer schedule for the larger networks). Unknown keys are
    rejected by name, and so is a recipe the file does not define."""
    table = read_toml_table(path, "train") if str(path).endswith(".toml") else {}
    recipes = {key: value for key, value in table.items() if isinstance(value, dict)}
    table = {key: value for key, value in table.items() if key not in recipes}
    if recipe is not None:
        if recipe not in recipes:
            raise ConfigError(f"train.{recipe}: {path} defines no [train.{recipe}] recipe "
                              f"(it has: {', '.join(sorted(recipes)) or 'none'})")
        table.update(recipes[recipe])
    known = {f.name for f in dataclasses.fields(TrainSettings)}
    unknown = sorted(set(table) - known)
    if unknown:
        where = f"[train.{recipe}]" if recipe and unknown[0] in recipes[recipe] else "[train]"
        raise ConfigError(f"train.{unknown[0]}: unknown {where} setting in {path} (known: {', '.join(sorted(known))})")
    return TrainSettings(**table)
