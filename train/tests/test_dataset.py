"""Synthetic and recorded splits: determinism, shapes, quantized inputs, blends, splits by segment."""

from __future__ import annotations

import numpy as np
import pytest

from common.roles import INPUT_ROLES, JACK_ROLES
from train.dataset import embedding_sweep, load_splits, make_inputs, role_sources
from train.embedding import blend_weights
from train.tests.helpers import TINY, good_takes, write_recording

SPLITS = ("train", "val", "test")


@pytest.fixture(scope="module")
def tiny(config):
    return load_splits(config, seed=3, **TINY)


def test_same_seed_same_data_other_seed_different(config, tiny):
    again = load_splits(config, seed=3, **TINY)
    other = load_splits(config, seed=4, **TINY)
    assert set(tiny) == set(again) == set(other)
    for split in tiny:
        np.testing.assert_array_equal(tiny[split].x, again[split].x)
        np.testing.assert_array_equal(tiny[split].y, again[split].y)
        np.testing.assert_array_equal(tiny[split].points, again[split].points)
        assert tiny[split].labels == again[split].labels
    # the headline test sets have a seed of their own (test below); everything else follows the seed
    for split in ("train", "val", "dev", "dev_imperfect"):
        assert not np.array_equal(tiny[split].x[..., 0], other[split].x[..., 0]), split


def test_shapes_dtypes_and_quantized_inputs(config, tiny):
    for split in SPLITS:
        s = tiny[split]
        n = len(s)
        assert s.x.shape == (n, TINY["window"], 7) and s.x.dtype == np.float32
        assert s.y.shape == (n, TINY["window"], 1) and s.y.dtype == np.float32
        assert s.points.shape == (n, 2) and len(s.labels) == n
        codes = s.x.astype(np.float64) * 4096
        np.testing.assert_array_equal(codes, np.round(codes))  # FP4.12 codes / 4096
        assert set(np.unique(s.x[..., 3])) == {-1.0, 1.0}  # the direction cue: +-1.0
        # after the pre-roll the front end knows the ideal core's swing: level spans -1..+1, a little beyond
        # at the band-limited tips (the latched crest and trough are samples near them)
        assert -1.05 < s.x[..., 5].min() < -0.95 and 0.95 < s.x[..., 5].max() < 1.05
        assert s.freq is not None and s.freq.shape == (n, TINY["window"])
        # e0/e1 are constant per window and equal to the recorded point.
        np.testing.assert_array_equal(s.x[:, :, 1], np.repeat(s.points[:, :1], TINY["window"], axis=1))
        np.testing.assert_array_equal(s.x[:, :, 2], np.repeat(s.points[:, 1:], TINY["window"], axis=1))
        assert 0.9 < np.max(np.abs(s.x[..., 0])) <= 1.0  # core amplitude +-1 network unit


def test_training_split_covers_corners_edges_and_interior(tiny):
    s = tiny["train"]
    labels = set(s.labels)
    assert {"sine", "ramp", "square", "zigzag", "blend"} <= labels
    pts = s.points[np.array(s.labels) == "blend"]
    on_edge = (pts == 0) | (pts == 1)
    assert np.any(on_edge.any(axis=1)) and np.any(~on_edge.any(axis=1))  # edges and interior
    sine = s.points[np.array(s.labels) == "sine"]
    assert np.all(sine == 0)  # (0, 0), the unplugged-jacks point, is trained


def test_targets_are_blends_of_the_segment_waves(config, tiny):
    """Every window of a regenerated segment: target = cos/sin-weighted sum of the four waves at its
    point (weights written out here) ``lookahead`` samples late, core input = the segment's core quantized
    to FP4.12."""
    from train.dataset import DataSizes, preroll_samples, synthetic_segment

    waves = synthetic_segment(config, DataSizes(**TINY), (3, 0, 1))  # seed 3, split 0 (train), segment 1
    lag = config.lookahead
    assert lag == 2
    # the targets 2 samples late, the first value held over the start (by hand, not train.dataset.delayed)
    waves = {k: (np.concatenate([[v[0]] * lag, v[:-lag]]) if k != "core" else v) for k, v in waves.items()}
    s = tiny["train"]
    idx = [i for i, seg in enumerate(s.segments) if seg == "synthetic-train-1"]
    pre = preroll_samples(config)  # the take starts 0.05 s before its first window
    assert pre == 9600
    waves = {k: v[pre:] for k, v in waves.items()}
    assert len(idx) == len(waves["core"]) // TINY["window"]
    for j, i in enumerate(idx):
        e0, e1 = (float(v) for v in s.points[i])
        a, b = np.pi * e0 / 2, np.pi * e1 / 2
        piece = {k: v[j * 256:(j + 1) * 256] for k, v in waves.items()}
        expected = (np.cos(a) * np.cos(b) * piece["sine"] + np.cos(a) * np.sin(b) * piece["ramp"]
                    + np.sin(a) * np.sin(b) * piece["square"] + np.sin(a) * np.cos(b) * piece["zigzag"])
        np.testing.assert_allclose(s.y[i, :, 0], expected, atol=1e-6)
        np.testing.assert_array_equal(s.x[i, :, 0], (np.round(piece["core"] * 4096) / 4096).astype(np.float32))
        corner = {(0, 0): "sine", (0, 1): "ramp", (1, 1): "square", (1, 0): "zigzag"}.get((e0, e1), "blend")
        assert s.labels[i] == corner
    # The sine target is -cos of the core's phase: it peaks where the core triangle peaks.
    i = next(i for i in range(len(s)) if s.labels[i] == "sine")
    assert np.corrcoef(s.x[i, :, 0], s.y[i, :, 0])[0, 1] > 0.95


def test_splits_disjoint_by_segment(tiny):
    segs = {split: set(tiny[split].segments) for split in SPLITS}
    assert segs["train"] and segs["val"] and segs["test"]
    assert not (segs["train"] & segs["val"]) and not (segs["train"] & segs["test"]) and not (segs["val"] & segs["test"])
    # No window content is shared either.
    train_cores = {w.tobytes() for w in tiny["train"].x[..., 0]}
    assert not any(w.tobytes() in train_cores for w in tiny["test"].x[..., 0])


def test_imperfect_test_takes_are_held_out(tiny):
    """The imperfect-core test set (``test_imperfect``, train/imperfect.py) is held out like the others: it
    shares no take and no window with the training split, which holds imperfect-core takes of its own, nor
    with validation or test."""
    held = tiny["test_imperfect"]
    assert len(held) > 0 and all(seg.startswith("imperfect-") for seg in held.segments)
    assert any(seg.startswith("imperfect-") for seg in tiny["train"].segments)
    held_cores = [w.tobytes() for w in held.x[..., 0]]
    for split in SPLITS:
        assert not set(held.segments) & set(tiny[split].segments), split
        cores = {w.tobytes() for w in tiny[split].x[..., 0]}
        assert not any(core in cores for core in held_cores), split


def test_every_input_role_has_a_source(config):
    """The dataset feeds every jack role (common/roles.py); the front end derives the others, in the
    config's order."""
    assert set(role_sources(np.zeros(3), 0.25, 0.75)) == set(JACK_ROLES)
    core = np.array([0.5, -0.5, 0.25])
    x = make_inputs(config.replace(inputs=tuple(reversed(INPUT_ROLES))), core, 0.25, 0.75)
    # Worked by hand for the default front end (lag 4, threshold 2, slope << 4), from reset (history 0):
    # core codes 2048, -2048, 1024: differences to 4 samples back (0) are +2048, -2048, +1024.
    expected = {"core": core, "e0": [0.25] * 3, "e1": [0.75] * 3, "zero": [0.0] * 3,
                "direction": [1.0, -1.0, 1.0],
                # steps 2048, -4096, 3072 times 16 saturate at the FP4.12 limits
                "slope": [32767 / 4096, -8.0, 32767 / 4096],
                # the swing before t0, t1 is reset's +-1.0 (recip 2**25 // 8192 = 4096, >> 13); the turn to falling
                # at t1 latches hi = 2048 for t2: recip 2**25 // 6144 = 5461, (2048 - 2048 + 4096) * 5461 >> 13 = 2730
                "level": [0.5, -0.5, 2730 / 4096],
                # steps times recip >> 7: 65536, -131072, 131064: saturated
                "rate": [32767 / 4096, -8.0, 32767 / 4096],
                # each sample sets the running extreme (e = 0). t0: count 1 against reset's half (2**25 // 16383
                # = 2048: (2048 - 2**24) >> 12 = -4096); the turn at t1 latches the rise as 1 - 0 = 1 and restarts
                # the count at e + 1 = 1, against reset's fall: -1.0 again; the turn at t2 latches the fall and
                # times the new rise against the rise of 1 (counted as 2): 2**25 // 2 = 2**24, (2**24 - 2**24) = 0
                "phase": [-1.0, -1.0, 0.0]}
    for c, role in enumerate(reversed(INPUT_ROLES)):
        np.testing.assert_array_equal(x[:, c], expected[role], err_msg=role)


def test_embedding_sweep(config):
    x = embedding_sweep(config, 0.05, frequency_hz=220.0)
    assert x.shape == (9600, 7) and x.dtype == np.float32
    assert x[0, 1] == 0 and x[0, 2] == 0 and x[:, 1].max() == 1 and x[:, 2].max() == 1
    # the direction cue follows the triangle: it changes twice per cycle
    assert np.sum(np.diff(x[:, 3]) != 0) == pytest.approx(2 * 0.05 * 220, abs=2)
    crossings = np.sum(np.diff(np.sign(x[:, 0])) > 0)
    assert crossings == pytest.approx(0.05 * 220, abs=1)


def test_recorded_splits_build_blends_from_recorded_waves(config, tmp_path):
    manifest = write_recording(tmp_path, good_takes())
    splits = load_splits(config, data=manifest, seed=0, window=256)
    segs = {split: set(splits[split].segments) for split in SPLITS}
    assert len(segs["val"]) == 1 and len(segs["test"]) == 1 and len(segs["train"]) == 2
    assert not (segs["train"] & (segs["val"] | segs["test"]))
    every = [lab for split in SPLITS for lab in splits[split].labels]
    assert "zigzag" not in every  # not recorded: never sampled
    pts = np.concatenate([splits[split].points for split in SPLITS])
    blends = pts[np.array(every) == "blend"]
    # Only the sine-ramp (e0 = 0) and ramp-square (e1 = 1) edges have both waves recorded.
    assert len(blends) and np.all((blends[:, 0] == 0) | (blends[:, 1] == 1))
    # A blended window equals the weighted sum of the recorded channels (int16 / 32767 * 8.192 V / 5 V).
    s = splits["train"]
    i = int(np.flatnonzero(np.array(s.labels) == "blend")[0])
    take = int(s.segments[i][4:])
    e0, e1 = (float(v) for v in s.points[i])
    data = good_takes()[take]["data"].astype(np.float64) / 32767 * 8.192 / 5.0
    w = blend_weights(e0, e1)
    start = [j for j in range(len(s)) if s.segments[j] == s.segments[i]].index(i) * 256
    expected = w["sine"] * data[:, 1] + w["square"] * data[:, 2] + w["ramp"] * data[:, 3]
    lag = config.lookahead  # the targets run 2 samples behind the core (first value held)
    expected = np.concatenate([[expected[0]] * lag, expected[:-lag]])
    np.testing.assert_allclose(s.y[i, :, 0], expected[start:start + 256], atol=1e-6)
    np.testing.assert_allclose(s.x[i, :, 0], np.round(data[start:start + 256, 0] * 4096) / 4096, atol=1e-7)


def test_headline_test_takes_come_from_their_own_seed(config, tiny):
    """``test`` and the imperfect test sets are drawn from the test seed alone: another training seed leaves
    them as they are and changes the development takes (``dev``), and another test seed changes them. No
    headline take is a development or training take."""
    other_training_seed = load_splits(config, seed=4, **TINY)
    other_test_seed = load_splits(config, seed=3, test_seed=99, **TINY)
    for name in ("test", "test_imperfect", "test_curved", "test_fm"):
        np.testing.assert_array_equal(tiny[name].x, other_training_seed[name].x)
        assert not np.array_equal(tiny[name].x[..., 0], other_test_seed[name].x[..., 0]), name
    assert not np.array_equal(tiny["dev"].x[..., 0], other_training_seed["dev"].x[..., 0])
    np.testing.assert_array_equal(tiny["dev"].x, other_test_seed["dev"].x)
    headline = {w.tobytes() for name in tiny if name.startswith("test") for w in tiny[name].x[..., 0]}
    for name in ("train", "val", "dev", "dev_imperfect"):
        assert not any(w.tobytes() in headline for w in tiny[name].x[..., 0]), name


def test_every_category_is_a_test_set_and_optionally_trained_on(config):
    from train.dataset import CATEGORIES

    splits = load_splits(config, seed=3, category_train_segments=1, **TINY)
    for category in CATEGORIES:
        held = splits[f"test_{category}"]
        assert len(held) and all(seg.startswith(f"{category}-test_{category}-") for seg in held.segments)
        assert any(seg.startswith(f"{category}-train-") for seg in splits["train"].segments), category
    without = load_splits(config, seed=3, **TINY)
    assert not any(seg.startswith("curved-") for seg in without["train"].segments)


def test_the_test_seed_must_differ_from_the_training_seed():
    from common.config import ConfigError
    from train.settings import TrainSettings

    with pytest.raises(ConfigError, match=r"train.test_seed: must differ from train.seed \(5\)"):
        TrainSettings(seed=5, test_seed=5)
