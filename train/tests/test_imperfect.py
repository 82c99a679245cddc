"""Imperfect cores: the drawn imperfections stay in their documented ranges, the targets follow the core's
own phase, and the rounded tips join the slopes smoothly."""

from __future__ import annotations

import numpy as np
import pytest

from train.imperfect import imperfect_segment, naive_wave, rounded_core

FS = 192_000


def test_rounded_tip_meets_the_slopes():
    tip = 0.02
    # at the tip (q = 0.5) the parabola falls short of the peak by 2 * tip
    assert rounded_core(np.array([0.5]), tip)[0] == pytest.approx(1 - 2 * tip)
    # where the parabola hands over (distance tip from the tip) value and slope equal the triangle's
    for q in (0.5 - tip, 0.5 + tip, tip, 1 - tip):
        eps = 1e-7
        inside = rounded_core(np.array([q - eps, q, q + eps]), tip)
        outside = naive_wave("core", np.array([q - eps, q, q + eps]))
        np.testing.assert_allclose(inside, outside, atol=1e-6)
    # away from the tips nothing changes
    q = np.array([0.1, 0.25, 0.4, 0.6, 0.75, 0.9])
    np.testing.assert_array_equal(rounded_core(q, tip), naive_wave("core", q))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_segment_ranges_and_phase(seed):
    seg = imperfect_segment(np.random.default_rng(seed), 19_200, FS, 200.0, 800.0)
    amplitude, offset, ratio, tip, vibrato = seg["params"]
    assert 0.5 <= amplitude <= 1.0 and -0.1 <= offset <= 0.1 and 0.8 <= ratio <= 1.25
    assert 2e-6 <= tip <= 20e-6 and 0 <= vibrato <= 0.03
    core = seg["core"]
    assert core.max() <= offset + amplitude + 0.01 and core.min() >= offset - amplitude - 0.01
    # the square is high exactly while the core rises (away from the edges, where both are band-limited)
    rising = np.sign(np.convolve(np.diff(core), np.ones(9), mode="same"))
    square = np.sign(seg["square"][1:])
    steady = np.abs(seg["square"][1:]) > 0.9
    assert np.mean(rising[steady] == square[steady]) > 0.97
    # every target stays within its band-limited full scale
    for wave in ("sine", "ramp", "square", "zigzag"):
        assert 0.9 < np.max(np.abs(seg[wave])) < 1.25
    assert np.all((seg["freq"] > 200.0 * 0.97) & (seg["freq"] < 800.0 * 1.03))
