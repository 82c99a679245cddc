"""The [train] table: every setting has the type it needs; booleans and strings are refused by name."""

from __future__ import annotations

import pytest

from common.config import ConfigError
from train.settings import TrainSettings, load_settings
from train.tests.helpers import DEFAULT_CONFIG


@pytest.mark.parametrize("line, field", [
    ("epochs = true", "epochs"),
    ("seed = true", "seed"),
    ('seed = "1234"', "seed"),
    ("seed = 1.5", "seed"),
    ("learning_rate = true", "learning_rate"),
    ('learning_rate = "0.003"', "learning_rate"),
    ("learning_rate = inf", "learning_rate"),
    ("segment_seconds = nan", "segment_seconds"),
    ("fmax_hz = true", "fmax_hz"),
    ("l2 = true", "l2"),
    ("l2 = nan", "l2"),
])
def test_wrong_types_are_refused_by_name(tmp_path, line, field):
    path = tmp_path / "c.toml"
    path.write_text(f"[train]\n{line}\n")
    with pytest.raises(ConfigError, match=rf"^train\.{field}: must be a"):
        load_settings(path)


def test_default_table_still_loads():
    assert load_settings(DEFAULT_CONFIG) == TrainSettings()
