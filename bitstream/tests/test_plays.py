"""What a bitstream plays: sample rate, latency in samples (lookahead + pipeline), jack scaling, parameters and
the test SNR from the training report of the very network, found beside the weights or not at all."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bitstream.plan import plan_for_board
from bitstream.plays import brief, plays, training_report
from boards.registry import get_board
from common.config import LayerConfig
from quantize.weights import random_network

from .helpers import small_config


def _trained(directory, config, snr) -> None:
    """A training run's output as ``make train`` leaves it: its config and report (after the score)."""
    directory.mkdir(parents=True, exist_ok=True)
    config.to_json(directory / "config.json")
    (directory / "report.json").write_text(json.dumps({"test_snr_db": snr, "epochs": 3}))


def _weights(build, config):
    random_network(config, np.random.default_rng(0)).save(build / "weights")
    return build / "weights"


def test_the_figures_come_from_the_config_the_plan_and_the_board():
    config = small_config(lookahead=2, volts_per_unit=2.5)
    board = get_board("ecpix5")
    plan = plan_for_board(config, board)
    played = plays(config, plan, board)
    assert played["sample_rate_hz"] == pytest.approx(192_046.405, abs=1e-3)  # the codec's rate from the PLL
    assert played["trained_sample_rate_hz"] == 192_000
    assert played["latency_samples"] == {"lookahead": 2, "pipeline": plan.latency_samples,
                                         "total": 2 + plan.latency_samples}
    # the pipeline's whole sample periods: (layers' + front end's latency cycles) // cycle budget
    assert plan.latency_samples == (plan.latency_cycles + plan.front_end_latency) // plan.cycle_budget
    assert played["volts_per_unit"] == 2.5 and played["params"] == config.params
    assert played["test_snr_db"] is None and "not loaded from a weights directory" in played["test_snr_source"]


def test_the_snr_of_the_training_run_the_weights_came_from(tmp_path):
    """``make quantize`` names the training run it exported (its report beside the weights' build root); that
    run's SNR is the one, even when a plain ``make train`` of the same shape sits in ``build/train``."""
    config = small_config()
    weights = _weights(tmp_path, config)
    _trained(tmp_path / "train", config, {"all": 11.0, "sine": 20.0})
    _trained(tmp_path / "runs" / "long", config, {"all": 27.456, "sine": 30.0})
    (tmp_path / "quantize").mkdir()
    (tmp_path / "quantize" / "report.json").write_text(json.dumps(
        {"model_dir": str(tmp_path / "runs" / "long"), "weights_dir": str(weights)}))
    board = get_board("tiliqua")
    played = plays(config, plan_for_board(config, board), board, weights_dir=weights)
    assert played["test_snr_db"] == 27.46 and played["test_snr_source"] == str(tmp_path / "runs/long/report.json")


def test_the_configs_own_train_out_then_plain_make_train(tmp_path):
    config = small_config(name="mynet")
    weights = _weights(tmp_path, config)
    _trained(tmp_path / "train", config, {"all": 11.0})
    board = get_board("ecpix5")
    plan = plan_for_board(config, board)
    assert plays(config, plan, board, weights_dir=weights)["test_snr_db"] == 11.0
    _trained(tmp_path / "train" / "mynet", config, 14.5)  # a bare figure (before the golden score) is read too
    played = plays(config, plan, board, weights_dir=weights)
    assert played["test_snr_db"] == 14.5 and played["test_snr_source"] == str(tmp_path / "train/mynet/report.json")


def test_a_report_of_another_shape_or_without_the_figure_gives_none_and_says_why(tmp_path):
    config = small_config()
    weights = _weights(tmp_path, config)
    _trained(tmp_path / "train", small_config(layers=(LayerConfig(5, 2, 1), LayerConfig(1, 2, 2))), {"all": 9.0})
    board = get_board("ecpix5")
    plan = plan_for_board(config, board)
    played = plays(config, plan, board, weights_dir=weights)
    assert played["test_snr_db"] is None
    assert played["test_snr_source"] == (f"no training report of this network's shape in "
                                         f"{tmp_path}/train/boards_test/report.json, {tmp_path}/train/report.json")
    _trained(tmp_path / "train", config, None)
    (tmp_path / "train" / "report.json").write_text(json.dumps({"epochs": 3}))
    played = plays(config, plan, board, weights_dir=weights)
    assert played["test_snr_db"] is None and played["test_snr_source"].endswith("has no test_snr_db "
                                                                                "(run python -m quantize.score)")


def test_training_report_matches_the_shape_not_the_name(tmp_path):
    config = small_config(name="one")
    _trained(tmp_path / "a", small_config(name="other"), {"all": 5.0})
    report, where = training_report(config, [tmp_path / "missing", tmp_path / "a"])
    assert report["test_snr_db"] == {"all": 5.0} and where == str(tmp_path / "a" / "report.json")


def test_brief_fits_the_bootloader_menu():
    played = {"sample_rate_hz": 192_046.405, "latency_samples": {"total": 6}, "volts_per_unit": 5.0,
              "params": 51_457, "test_snr_db": 28.13}
    assert brief(played) == "192.0 kHz, 6 samples late, 5 V/unit, 51457 params, SNR 28.1 dB"
    assert len(brief(played)) <= 64
    assert brief({**played, "test_snr_db": None}).endswith("51457 params, SNR n/a")
