"""The quality recipe, guarded against regressions: on an easy case (220-880 Hz, a quarter second per take,
40 epochs, about half a minute) the default network with the front end and the lookahead must beat a fixed
floor of the golden model's SNR, and the same training without them must not.

Two floors, one per set of held-out takes. The development takes come from the training seed, the set the
recipe was tuned on; the headline takes come from the test seed of their own (docs/sound.md, "What is
measured"). One quarter-second take per set makes the two differ by a few dB on this easy case.

Measured when the floors were set (all waves, golden model): development takes 19.8 dB with the recipe,
10.0 dB with the prior design's inputs (core, e0, e1, zero) and no lookahead; headline takes 15.7 dB and
5.8 dB. TensorFlow on CPU with fixed seeds repeats to the digit on one machine, and each floor leaves
about 4 dB of room for another."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quantize.score import main as score
from train.__main__ import main as train

ROOT = Path(__file__).resolve().parents[2]
#: The floors the recipe must beat on the easy case (golden model, all waves), per set of held-out takes.
FLOOR_DB = {"development": 16.0, "headline": 12.0}

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


def _golden_snr(tmp_path: Path, config: Path) -> dict[str, float]:
    """The golden model's SNR (all waves) on the headline and the development takes."""
    out = tmp_path / config.stem
    assert train(["--config", str(config), "--out", str(out), "--quiet"]) == 0
    assert score(["--train-dir", str(out)]) == 0
    golden = json.loads((out / "report.json").read_text())["golden"]
    return {"headline": golden["test_snr_db"]["all"], "development": golden["dev"]["test_snr_db"]["all"]}


@pytest.mark.slow
def test_the_recipe_beats_the_floor_and_the_prior_design_does_not(tmp_path):
    recipe = _golden_snr(tmp_path, _easy_config(tmp_path, "recipe"))
    prior = _golden_snr(tmp_path, _easy_config(tmp_path, "prior", prior_design=True))
    for takes, floor in FLOOR_DB.items():
        assert recipe[takes] >= floor, \
            f"the recipe reaches {recipe[takes]:.1f} dB on the easy case's {takes} takes, below the {floor} dB floor"
        assert prior[takes] < floor and recipe[takes] - prior[takes] > 5, (takes, recipe, prior)
