"""The embedding square: exact corners, constant power inside, every kind of point reachable."""

from __future__ import annotations

import numpy as np
import pytest

from train.embedding import CORNERS, blend, blend_weights, point_kinds, sample_point, sweep_path

EXPECTED_CORNERS = {(0, 0): "sine", (0, 1): "ramp", (1, 1): "square", (1, 0): "zigzag"}


@pytest.mark.parametrize("point, wave", EXPECTED_CORNERS.items())
def test_corners_are_single_waves(point, wave):
    weights = blend_weights(*point)
    assert weights[wave] == 1.0
    assert all(w == 0.0 for name, w in weights.items() if name != wave)
    waves = {name: np.full(8, float(i + 1)) for i, name in enumerate(CORNERS)}
    np.testing.assert_array_equal(blend(waves, *point), waves[wave])


def test_constant_power_and_formula_inside():
    rng = np.random.default_rng(0)
    for e0, e1 in rng.uniform(0, 1, size=(200, 2)):
        w = blend_weights(e0, e1)
        assert sum(v * v for v in w.values()) == pytest.approx(1.0, abs=1e-12)
        a, b = np.pi * e0 / 2, np.pi * e1 / 2
        assert w["sine"] == pytest.approx(np.cos(a) * np.cos(b), abs=1e-12)
        assert w["ramp"] == pytest.approx(np.cos(a) * np.sin(b), abs=1e-12)
        assert w["square"] == pytest.approx(np.sin(a) * np.sin(b), abs=1e-12)
        assert w["zigzag"] == pytest.approx(np.sin(a) * np.cos(b), abs=1e-12)


def test_blend_of_uncorrelated_waves_keeps_power():
    """Four orthogonal unit-power signals: every blend has unit power (the point of constant power)."""
    t = np.arange(4096) / 4096
    waves = {name: np.sqrt(2) * np.sin(2 * np.pi * (i + 1) * t) for i, name in enumerate(CORNERS)}
    for e0, e1 in [(0.5, 0.5), (0.2, 0.9), (1.0, 0.3), (0.0, 0.6)]:
        assert np.mean(blend(waves, e0, e1) ** 2) == pytest.approx(1.0, abs=1e-9)


def test_blend_refuses_missing_wave_and_outside_points():
    waves = {"sine": np.zeros(4), "ramp": np.zeros(4)}
    blend(waves, 0.0, 0.5)  # sine-ramp edge: fine
    with pytest.raises(KeyError, match="square"):
        blend(waves, 0.5, 1.0)
    with pytest.raises(ValueError, match="outside"):
        blend_weights(1.5, 0.0)


def test_point_kinds_follow_available_waves():
    full = point_kinds(frozenset(CORNERS))
    assert {k for k in full if k in CORNERS} == set(CORNERS)
    assert sum(k.startswith("edge:") for k in full) == 4 and "interior" in full
    three = point_kinds(frozenset({"sine", "ramp", "square"}))
    assert "zigzag" not in three and "interior" not in three
    assert sorted(k for k in set(three) if k.startswith("edge:")) == ["edge:ramp-square", "edge:sine-ramp"]


def test_sampled_points_lie_where_they_should():
    rng = np.random.default_rng(1)
    q = 1 / 4096
    for _ in range(100):
        e0, e1 = sample_point("interior", rng, q)
        assert 0 < e0 < 1 and 0 < e1 < 1 and (e0 / q).is_integer() and (e1 / q).is_integer()
        e0, e1 = sample_point("edge:ramp-square", rng, q)
        assert e1 == 1.0 and 0 < e0 < 1
        e0, e1 = sample_point("edge:zigzag-sine", rng, q)
        assert e1 == 0.0 and 0 < e0 < 1
    assert sample_point("sine", rng, q) == (0.0, 0.0)


def test_sweep_path_visits_whole_square():
    path = sweep_path(20_000)
    assert path.min() == 0.0 and path.max() == 1.0
    for corner in EXPECTED_CORNERS:
        assert np.min(np.linalg.norm(path - np.array(corner), axis=1)) < 1e-3
    # Slow: consecutive points move little, and the interior is visited.
    assert np.max(np.abs(np.diff(path, axis=0))) < 1e-3
    inside = (path > 0.1) & (path < 0.9)
    assert np.any(inside.all(axis=1))
