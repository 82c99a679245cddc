"""``bench.train_speed``: both float twins train on the same windows and agree to float32 rounding."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

from bench.train_speed import measure  # noqa: E402
from common.config import load_config  # noqa: E402


def test_both_forms_timed_from_the_same_weights():
    config = load_config("configs/default.toml")
    row = measure(config, samples=8 * 128, window=128, epochs=2)
    assert row["windows"] == 8 and row["window"] == 128
    assert row["keras_conv1d_s_per_epoch"] > 0 and row["causal_conv_s_per_epoch"] > 0
    assert row["speedup"] == pytest.approx(row["keras_conv1d_s_per_epoch"] / row["causal_conv_s_per_epoch"])
    # the same arithmetic from the same weights: only float32 rounding apart (a swapped tap would be ~1)
    assert row["max_output_difference"] < 1e-4
