"""The audible-band figures: an ultrasonic error does not count, an audible one counts in full, and the
worst cell is the table's lowest."""

from __future__ import annotations

import numpy as np
import pytest

from train.dataset import Split
from train.evaluate import AUDIBLE_HZ, GROUPS, audible_filter, audible_snr, band_table, metrics, worst_cell

FS = 192_000


def _split(config, error_hz: float, error_amplitude: float, windows: int = 4, window: int = 2048):
    """Windows of a 1 kHz sine target (labelled ``sine``) and a prediction off by a tone at ``error_hz``."""
    t = np.arange(windows * window).reshape(windows, window) / FS
    y = np.sin(2 * np.pi * 1000.0 * t)
    y_hat = y + error_amplitude * np.sin(2 * np.pi * error_hz * t + 0.3)
    split = Split(x=np.zeros((windows, window, config.n_inputs), np.float32), y=y[..., None].astype(np.float32),
                  points=np.zeros((windows, 2), np.float32), labels=["sine"] * windows,
                  freq=np.full((windows, window), 1000.0, np.float32))
    return split, y_hat[..., None]


def test_an_ultrasonic_error_is_not_audible(config):
    split, y_hat = _split(config, 40_000.0, 0.1)
    full = metrics(config, split, y_hat)["snr_db"]["all"]
    audible = audible_snr(config, split, y_hat)["all"]
    assert full == pytest.approx(20.0, abs=0.2)  # signal and error powers 1/2 and 0.01/2
    assert audible > 60.0  # the filter's stop band takes the 40 kHz error away


@pytest.mark.parametrize("error_hz", [5_000.0, 15_000.0])
def test_an_audible_error_counts_in_full(config, error_hz):
    split, y_hat = _split(config, error_hz, 0.1)
    audible = audible_snr(config, split, y_hat)
    assert audible["all"] == pytest.approx(20.0, abs=0.3) and audible["sine"] == audible["all"]
    row = band_table(config, split, y_hat, audible=True)["440-1760"]
    assert row["sine"] == pytest.approx(20.0, abs=0.3)


def test_the_filter_passes_the_audible_band_and_stops_above_it():
    taps = audible_filter(FS)
    response = np.abs(np.fft.rfft(taps, 1 << 16))
    hz = np.fft.rfftfreq(1 << 16, 1 / FS)
    assert np.all(np.abs(20 * np.log10(response[hz <= 17_000])) < 0.1)
    assert np.all(20 * np.log10(response[hz >= 23_000]) < -60)
    assert 20 * np.log10(np.interp(AUDIBLE_HZ, hz, response)) == pytest.approx(-6.0, abs=0.5)
    assert audible_filter(40_000) is None  # below 20 kHz Nyquist everything is audible


def test_windows_too_short_for_the_filter_give_no_audible_figure(config):
    split, y_hat = _split(config, 5_000.0, 0.1, window=300)
    assert audible_snr(config, split, y_hat) is None


def test_worst_cell_is_the_lowest_wave_band_cell():
    table = {"27.5-110": {"sine": 30.0, "blend": 24.0, "all": 20.0}, "110-440": {"ramp": 23.5, "all": 25.0}}
    cell = worst_cell(table)
    assert (cell["band"], cell["group"], cell["snr_db"]) == ("110-440", "ramp", 23.5)
    assert worst_cell(None) is None


def test_worst_cell_names_the_cells_no_take_reached():
    full = {"27.5-110": {g: 30.0 for g in GROUPS}, "110-440": {g: 30.0 for g in GROUPS},
            "440-1760": {g: 30.0 for g in GROUPS}, "1760-4186": {g: 30.0 for g in GROUPS}}
    assert worst_cell(full)["missing"] == []
    del full["1760-4186"]["blend"], full["27.5-110"]["sine"]
    assert worst_cell(full)["missing"] == ["sine 27.5-110", "blend 1760-4186"]
