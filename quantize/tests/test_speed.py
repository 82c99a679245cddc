"""Functional check of the real-time-factor measurement (prints the figure; no timing assertion:
the machine is shared, ``make bench`` records the real number)."""

from __future__ import annotations

import numpy as np

from quantize.speed import realtime_factor
from quantize.weights import random_network

from .conftest import default_config


def test_realtime_factor_is_measured_as_a_median(rng):
    network = random_network(default_config(), rng)
    result = realtime_factor(network, seconds=0.25, repeats=3)
    print(f"golden batch form, default network, one core: {result['realtime_factor']:.1f}x real time at 192 kHz")
    assert result["signal_seconds"] == 0.25 and result["runs"] == 3 and result["threads"] == 1
    assert result["min_seconds"] <= result["median_seconds"] <= result["max_seconds"]
    assert np.isclose(result["realtime_factor"], 0.25 / result["median_seconds"])
