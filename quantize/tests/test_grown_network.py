"""The grown network plays what the small one played, on the golden model (train/grow.py)."""

from __future__ import annotations

import numpy as np
import pytest

from quantize.export import convert_weights
from quantize.golden import run_batch
from train.grow import grown_weights
from train.tests.helpers import grow_configs, random_weights


@pytest.mark.parametrize("rounding", ["half_up", "half_even"])
def test_the_grown_network_plays_what_the_small_one_played(rounding):
    """Golden model, default network grown into the 25F network (wider, one layer deeper, longer receptive
    field): every output equal, except that with ``half_up`` the negated copy ``relu(-y)`` rounds an exact
    tie the other way (1 LSB, on at most a few samples in a thousand)."""
    small, big = grow_configs(rounding)
    rng = np.random.default_rng(5)
    small_weights = random_weights(small, rng, 0.15)
    grown = grown_weights(small, small_weights, big, random_weights(big, rng, 0.15, on_grid=False))
    codes = rng.integers(-4096, 4096, size=(6000, small.n_inputs))
    before = run_batch(convert_weights(small_weights, small)[0], codes).output
    after_network, saturated = convert_weights(grown, big)
    after = run_batch(after_network, codes).output
    assert not saturated
    assert np.std(before) > 500  # the small network does something
    difference = np.abs(after.astype(np.int64) - before)
    if rounding == "half_even":
        np.testing.assert_array_equal(after, before)
    else:
        assert difference.max() <= 1 and np.mean(difference != 0) < 0.005
