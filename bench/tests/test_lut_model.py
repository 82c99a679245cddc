"""The plan's LUT model against yosys on networks it was not fitted on: two of bench.lut_model's held-out
networks, synthesised here (seconds each); ``make bench`` checks all of them, the shipped configs and the
calibration sets."""

from __future__ import annotations

import pytest

from bench.lut_model import ECPIX5_NETWORK_HZ, HELD_OUT, TOLERANCE, check_lut_model
from common.config import load_config
from rtl.plan import uses_division
from rtl.resources import CALIBRATION, calibration_network


def test_held_out_networks_are_what_the_boards_build_but_not_calibration_networks():
    """Each on the shipped inputs (the front end with its divider) at a board's network clock."""
    calibration = {(calibration_network(e)[0].layers, calibration_network(e)[0].inputs) for e in CALIBRATION}
    shipped = load_config("configs/default.toml")
    for config, clock_hz in HELD_OUT:
        assert (config.layers, config.inputs) not in calibration
        assert config.inputs == shipped.inputs and config.front_end == shipped.front_end and uses_division(config)
        assert clock_hz in (ECPIX5_NETWORK_HZ, 108_000_000)


@pytest.mark.slow
def test_lut_model_within_tolerance_on_held_out_networks(tmp_path):
    chosen = [entry for entry in HELD_OUT if entry[0].name in ("narrow8", "tiny4")]
    result = check_lut_model(tmp_path, held_out=chosen, calibration=False, shipped=())
    assert len(result["held_out"]) == 2
    for row in result["held_out"]:
        print(f"{row['network']}: estimate {row['estimate']}, yosys {row['measured']} ({row['error']:+.1%})")
        assert abs(row["error"]) <= TOLERANCE
    assert result["ok"] is True
