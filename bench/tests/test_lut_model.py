"""The plan's LUT model against yosys on networks it was not fitted on: two of bench.lut_model's held-out
networks, synthesised here (seconds each); ``make bench`` checks all of them and the calibration set."""

from __future__ import annotations

import pytest

from bench.lut_model import HELD_OUT, TOLERANCE, check_lut_model
from rtl.resources import CALIBRATION, calibration_network

pytestmark = pytest.mark.slow


def test_held_out_networks_are_not_calibration_networks():
    calibration = {(calibration_network(e)[0].layers, calibration_network(e)[0].inputs) for e in CALIBRATION}
    assert all((config.layers, config.inputs) not in calibration for config, _ in HELD_OUT)


def test_lut_model_within_tolerance_on_held_out_networks(tmp_path):
    chosen = [entry for entry in HELD_OUT if entry[0].name in ("default", "narrow8")]
    result = check_lut_model(tmp_path, held_out=chosen, calibration=False)
    for row in result["held_out"]:
        print(f"{row['network']}: estimate {row['estimate']}, yosys {row['measured']} ({row['error']:+.1%})")
        assert abs(row["error"]) <= TOLERANCE
    assert result["ok"] is True
