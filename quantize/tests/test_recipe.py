"""The quality recipe, guarded against regressions: on an easy case (220-880 Hz, a quarter second per take,
40 epochs, about half a minute) the default network with the front end and the lookahead must beat a fixed
floor of the golden model's SNR, and the same training without them must not.

Measured when the floor was set: 19.8 dB with the recipe, 10.0 dB with the prior design's inputs (core, e0,
e1, zero) and no lookahead; TensorFlow on CPU with fixed seeds repeats to the digit on one machine, and
the floor leaves room for another."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quantize.score import main as score
from train.__main__ import main as train

ROOT = Path(__file__).resolve().parents[2]
#: The floor the recipe must beat on the easy case (golden model, all waves).
FLOOR_DB = 16.0

EASY = """
[train]
seed = 7
epochs = 40
learning_rate = 0.01
final_lr_fraction = 0.01
qat_epochs = 1
qat_learning_rate = 0.0003
batch_size = 32
window = 512
segment_seconds = 0.25
train_segments = 4
val_segments = 1
test_segments = 1
fmin_hz = 220.0
fmax_hz = 880.0
imperfect_train_segments = 0
imperfect_test_segments = 0
category_test_segments = 0
"""


def _easy_config(tmp_path: Path, name: str, *, prior_design: bool = False) -> Path:
    text = (ROOT / "configs" / "default.toml").read_text()
    text = text[:text.index("[train]")] + EASY  # the default network and front end, the easy [train] table
    if prior_design:
        text = re.sub(r"(?m)^inputs = .*$", 'inputs = ["core", "e0", "e1", "zero"]', text)
        text = re.sub(r"(?m)^lookahead = .*$", "lookahead = 0", text)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def _golden_snr(tmp_path: Path, config: Path) -> float:
    out = tmp_path / config.stem
    assert train(["--config", str(config), "--out", str(out), "--quiet"]) == 0
    assert score(["--train-dir", str(out)]) == 0
    return json.loads((out / "report.json").read_text())["test_snr_db"]["all"]


@pytest.mark.slow
def test_the_recipe_beats_the_floor_and_the_prior_design_does_not(tmp_path):
    recipe = _golden_snr(tmp_path, _easy_config(tmp_path, "recipe"))
    prior = _golden_snr(tmp_path, _easy_config(tmp_path, "prior", prior_design=True))
    assert recipe >= FLOOR_DB, f"the recipe reaches {recipe:.1f} dB on the easy case, below the {FLOOR_DB} dB floor"
    assert prior < FLOOR_DB and recipe - prior > 5, (recipe, prior)
