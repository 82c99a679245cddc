"""The plan's LUT model against yosys on networks it was not fitted on: two of bench.lut_model's held-out
networks, synthesised here (seconds each); ``make bench`` checks all of them, the shipped configs and the
calibration sets."""

from __future__ import annotations

import pytest

from bench.lut_model import ECPIX5_NETWORK_HZ, HELD_OUT, TOLERANCE, check_lut_model, fit_lut_model
from common.config import load_config
from rtl.plan import uses_division
from rtl.resources import CALIBRATION, FRONT_END_CALIBRATION, LUT_MODEL, calibration_network


def test_held_out_networks_are_what_the_boards_build_but_not_calibration_networks():
    """Each on the shipped inputs (the front end with its divider) at a board's network clock."""
    calibration = {(calibration_network(e)[0].layers, calibration_network(e)[0].inputs) for e in CALIBRATION}
    shipped = load_config("configs/default.toml")
    for config, clock_hz in HELD_OUT:
        assert (config.layers, config.inputs) not in calibration
        assert config.inputs == shipped.inputs and config.front_end == shipped.front_end and uses_division(config)
        assert clock_hz in (ECPIX5_NETWORK_HZ, 108_000_000)


def test_committed_lut_model_is_the_fit_of_the_calibration_sets():
    """The plan's committed coefficients are what least squares gives on the committed measurements: a
    remeasured calibration set, or a changed structural count, must come with new coefficients
    (``python -m bench.lut_model fit``)."""
    fitted = fit_lut_model()
    assert set(fitted) == set(LUT_MODEL)
    for name, value in fitted.items():
        assert value == pytest.approx(LUT_MODEL[name], rel=1e-9, abs=1e-9), name


def test_the_fit_follows_the_measurements():
    """One calibration count changed: the refit moves away from the committed table (the check above can
    fail)."""
    from unittest import mock

    inputs, data, luts, ffs = FRONT_END_CALIBRATION[3]          # the five roles: every feature but the swing
    changed = (*FRONT_END_CALIBRATION[:3], (inputs, data, luts + 40, ffs), *FRONT_END_CALIBRATION[4:])
    with mock.patch("bench.lut_model.FRONT_END_CALIBRATION", changed):
        fitted = fit_lut_model()
    assert any(fitted[name] != pytest.approx(LUT_MODEL[name], rel=1e-6) for name in LUT_MODEL)


@pytest.mark.slow
def test_lut_model_within_tolerance_on_held_out_networks(tmp_path):
    chosen = [entry for entry in HELD_OUT if entry[0].name in ("narrow8", "tiny4")]
    result = check_lut_model(tmp_path, held_out=chosen, calibration=False, shipped=())
    assert len(result["held_out"]) == 2
    for row in result["held_out"]:
        print(f"{row['network']}: estimate {row['estimate']}, yosys {row['measured']} ({row['error']:+.1%})")
        assert abs(row["error"]) <= TOLERANCE
    assert result["ok"] is True
