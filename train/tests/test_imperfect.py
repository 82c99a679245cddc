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
    amplitude, offset, ratio, tip, vibrato, curvature = seg["params"]
    assert 0.5 <= amplitude <= 1.0 and -0.1 <= offset <= 0.1 and 0.8 <= ratio <= 1.25
    assert 2e-6 <= tip <= 20e-6 and 0 <= vibrato <= 0.03 and abs(curvature) <= 0.1
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


@pytest.mark.parametrize("curvature", [0.2, -0.2, 0.05])
def test_curved_halves_keep_their_turning_points_and_vary_the_slope_as_documented(curvature):
    from train.imperfect import curve

    q = np.linspace(0, 1, 200_001)[:-1]
    warped = curve(q, curvature)
    # turning points and half boundaries stay put, and the warp is monotonic
    np.testing.assert_allclose(curve(np.array([0.0, 0.5]), curvature), [0.0, 0.5], atol=1e-12)
    assert np.all(np.diff(warped) > 0)
    # within a half the slope runs from (1 + c) / (1 - c) times its end value: the +-c variation
    slope = np.diff(warped)
    first_half = slope[: len(slope) // 2 - 1]
    assert first_half[0] / first_half[-1] == pytest.approx((1 + curvature) / (1 - curvature), rel=1e-3)


@pytest.mark.parametrize("category", ["curved", "small", "asymmetric", "pitch_steps", "fm"])
def test_each_category_draws_its_imperfection_over_its_range(category):
    from train.imperfect import PROFILES

    for seed in range(4):
        seg = imperfect_segment(np.random.default_rng(seed), 38_400, FS, 110.0, 1760.0, PROFILES[category])
        amplitude, offset, ratio, tip, depth, curvature = seg["params"]
        freq = seg["freq"]
        if category == "curved":
            assert 0.05 <= abs(curvature) <= 0.2 and amplitude == 1 and ratio == 1
        else:
            assert curvature == 0
        if category == "small":
            assert 0.25 <= amplitude <= 0.5 and np.max(np.abs(seg["core"])) <= amplitude + 0.01
        if category == "asymmetric":
            assert 0.5 <= ratio <= 2.0 and amplitude == 1
        if category == "pitch_steps":
            # held notes: the pitch is constant between jumps at least 10 ms apart
            jumps = np.flatnonzero(np.diff(freq) != 0)
            assert len(jumps) and np.all(np.diff(jumps) >= 0.01 * FS - 1)
        if category == "fm":
            assert 0.1 <= depth <= 0.5 and freq.max() / freq.min() > (1 + 0.1) / (1 - 0.1) * 0.99
        assert np.all((freq >= 110.0 * 0.999) & (freq <= 1760.0 * 1.001))
        # the square still follows the core's own direction
        rising = np.sign(np.convolve(np.diff(seg["core"]), np.ones(9), mode="same"))
        steady = np.abs(seg["square"][1:]) > 0.9
        assert np.mean(rising[steady] == np.sign(seg["square"][1:])[steady]) > 0.95
