"""Training windows and their train / validation / test splits, synthetic (default) or recorded.

A *segment* is one continuous take: a core triangle plus the target waves phase-locked to it. It is cut
into consecutive windows of ``window`` samples; each window gets one constant embedding point (e0, e1),
cycling through corners, edges and interior (``train.embedding.point_kinds``), and its target is the
constant-power blend of the segment's waves at that point. Splits are made by segment (synthetic: by
independently seeded segments), so no test window shares a take with a training window.

Network inputs follow ``config.inputs`` (roles from ``common/roles.py``). The jack roles (``core``, ``e0``,
``e1``) are quantized to the input format (FP4.12: codes / 4096) exactly as the hardware receives them,
and the derived roles (``direction``, ``slope``, ``zero``) come from the front end
(``common/front_end.py``) run over the whole segment, as the hardware runs it over the whole signal;
targets stay float. Synthetic splits also carry each sample's instantaneous frequency (``Split.freq``)
for the per-band report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.config import ModelConfig
from common.front_end import network_inputs
from common.roles import jack_roles
from train.embedding import CORNERS, blend, point_kinds, sample_point, sweep_path
from train.errors import DatasetError
from train.imperfect import PROFILES, imperfect_segment
from train.recorded import SkippedFile, load_recordings
from train.waves import ALL_WAVES, frequency_sweep, phase_from_frequency, synthesize

__all__ = ["DatasetError", "DataSizes", "Split", "Splits", "load_splits", "embedding_sweep", "embedding_sweep_jacks",
           "delayed", "jack_codes", "make_inputs", "preroll_samples", "quantize_input", "role_sources",
           "synthetic_segment", "CATEGORIES", "HEADLINE_TEST_SEED", "PREROLL_SECONDS", "SPLITS", "TEST_SETS"]

SPLITS = ("train", "val", "test")
#: The imperfect-core test categories (``train.imperfect.PROFILES``), each a test set ``test_<name>``.
CATEGORIES = ("curved", "small", "asymmetric", "pitch_steps", "fm")
#: Every held-out set of synthetic data: the headline sets (``test``, ``test_imperfect``, one per category)
#: drawn from the test seed, and the development sets (``dev``, ``dev_imperfect``) drawn from the training
#: seed, the held-out takes the recipe was tuned on.
TEST_SETS = ("test", "test_imperfect", *(f"test_{c}" for c in CATEGORIES), "dev", "dev_imperfect")
#: The seed of the headline test takes: fixed, and used for nothing else (no recipe was chosen on it).
HEADLINE_TEST_SEED = 20261207


@dataclass(frozen=True)
class DataSizes:
    """How much data, and which kind. The ``[train]`` table of the config sets these for ``make train``;
    the defaults here are the same as in ``configs/default.toml``."""

    #: Samples per training window (5.3 ms at 192 kHz; the first receptive_field-1 are warm-up).
    window: int = 1024
    #: Length of one synthetic segment (one independent take).
    segment_seconds: float = 1.0
    train_segments: int = 14
    val_segments: int = 2
    test_segments: int = 4
    #: Musical range of the synthetic sweeps: A0 to C8, the piano.
    fmin_hz: float = 27.5
    fmax_hz: float = 4186.0
    #: Recorded data: how many whole segments (takes) to hold out for validation and for test.
    recorded_val_segments: int = 1
    recorded_test_segments: int = 1
    #: Synthetic data: imperfect-core segments (``train/imperfect.py``) added to the training split, and
    #: held out as the second test set ``test_imperfect``.
    imperfect_train_segments: int = 4
    imperfect_test_segments: int = 4
    #: Takes per imperfect-core category (``CATEGORIES``): held out as ``test_<category>``; the training
    #: split gets as many of each beside its general imperfect takes.
    category_train_segments: int = 0
    category_test_segments: int = 2

    @classmethod
    def from_kwargs(cls, **sizes) -> DataSizes:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(sizes) - known)
        if unknown:
            raise TypeError(f"unknown dataset size {unknown[0]!r}; known: {sorted(known)}")
        out = cls(**sizes)
        for name in ("window", "train_segments", "val_segments", "test_segments"):
            if not isinstance(getattr(out, name), int) or getattr(out, name) < 1:
                raise ValueError(f"{name}: must be a positive integer, got {getattr(out, name)!r}")
        for name in ("imperfect_train_segments", "imperfect_test_segments", "category_train_segments",
                     "category_test_segments"):
            if not isinstance(getattr(out, name), int) or getattr(out, name) < 0:
                raise ValueError(f"{name}: must be a non-negative integer, got {getattr(out, name)!r}")
        if not 0 < out.fmin_hz < out.fmax_hz:
            raise ValueError(f"fmin_hz/fmax_hz: need 0 < fmin_hz < fmax_hz, got {out.fmin_hz}, {out.fmax_hz}")
        return out


@dataclass
class Split:
    """Windows of one split. ``x`` (N, T, n_inputs) and ``y`` (N, T, n_outputs) float32, ``points`` (N, 2)
    the (e0, e1) of each window, ``labels`` the corner wave name or ``"blend"``, ``segments`` the take,
    ``freq`` (N, T) float32 the instantaneous frequency of each sample (synthetic data; None when
    unknown, as for recordings)."""

    x: np.ndarray
    y: np.ndarray
    points: np.ndarray
    labels: list[str]
    segments: list[str] = field(default_factory=list)
    freq: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)


class Splits(dict):
    """The splits by name (``train``, ``val``, ``test``, and ``test_imperfect`` for synthetic data), and
    ``skipped``: the recorded files left out for being shorter than one window
    (:class:`train.recorded.SkippedFile`)."""

    def __init__(self, splits: dict[str, Split], skipped: Iterable[SkippedFile] = ()):
        super().__init__(splits)
        self.skipped = tuple(skipped)

    def skip_report(self) -> dict:
        """For the training report: every skipped file and the samples (per channel) lost with them."""
        return {"files": [s.as_dict() for s in self.skipped], "samples": sum(s.samples for s in self.skipped)}


def quantize_input(config: ModelConfig, values: np.ndarray) -> np.ndarray:
    """Round to the input format's grid (half to even, as QKeras) and saturate, as real values."""
    fmt = config.data_format
    return fmt.to_codes(values) / fmt.scale


def delayed(signal: np.ndarray, samples: int) -> np.ndarray:
    """``signal`` ``samples`` later: the first value held over the start (the targets behind a
    ``config.lookahead``; the held start lies in every window's warm-up, which no metric counts)."""
    signal = np.asarray(signal)
    if samples == 0:
        return signal
    return np.concatenate([np.repeat(signal[:1], samples, axis=0), signal[:len(signal) - samples]])


def role_sources(core: np.ndarray, e0, e1) -> dict[str, np.ndarray]:
    """What the dataset feeds each jack role (``common.roles.JACK_ROLES``), as float arrays of
    ``len(core)``: the core wave and the embedding point. The front end derives every other role."""
    n = len(core)
    return {"core": core, "e0": np.broadcast_to(e0, (n,)), "e1": np.broadcast_to(e1, (n,))}


def jack_codes(config: ModelConfig, core: np.ndarray, e0, e1) -> np.ndarray:
    """The jack signals (T, len(jack_roles)) as int64 ``data_format`` codes, what the codec delivers to
    the front end. ``e0``/``e1`` are scalars or arrays of length T."""
    channels = role_sources(np.asarray(core, dtype=np.float64), e0, e1)
    roles = jack_roles(config.inputs)
    missing = [r for r in roles if r not in channels]
    if missing:
        raise DatasetError(f"config.inputs: the dataset has no source for input role {missing[0]!r}; it "
                           f"provides {', '.join(channels)} (train/dataset.py, role_sources)")
    return np.stack([config.data_format.to_codes(channels[r]) for r in roles], axis=1)


def make_inputs(config: ModelConfig, core: np.ndarray, e0, e1) -> np.ndarray:
    """Network input (T, n_inputs) float32 in ``config.inputs`` order: the front end
    (``common.front_end``) run from reset over the whole signal, as codes / scale. ``e0``/``e1`` are
    scalars (constant per window) or arrays of length T."""
    codes, _ = network_inputs(config, jack_codes(config, core, e0, e1))
    return (codes / config.data_format.scale).astype(np.float32)


#: Every synthetic take starts this long before its first window: the oscillator is already running when
#: the windows begin, as on the board, so the front end has found the core's swing (it needs a crest and a
#: trough, up to one cycle: 36 ms at 27.5 Hz). The pre-roll feeds the front end only, never a window.
PREROLL_SECONDS = 0.05


def preroll_samples(config: ModelConfig) -> int:
    return int(round(PREROLL_SECONDS * config.sample_rate_hz))


def synthetic_segment(config: ModelConfig, sizes: DataSizes, seed: Iterable[int]) -> dict[str, np.ndarray]:
    """One synthetic take: core + four targets (float64, network units) along a random frequency sweep, and
    ``freq``, the instantaneous frequency of each sample; :data:`PREROLL_SECONDS` longer than the segment
    (the pre-roll comes first)."""
    rng = np.random.default_rng(list(seed))
    n = int(round(sizes.segment_seconds * config.sample_rate_hz)) + preroll_samples(config)
    freq = frequency_sweep(rng, n, config.sample_rate_hz, sizes.fmin_hz, sizes.fmax_hz)
    phase = phase_from_frequency(freq, config.sample_rate_hz, start=rng.uniform())
    return {**synthesize(phase, freq, config.sample_rate_hz, ALL_WAVES), "freq": freq}


def _windows(config: ModelConfig, waves: dict[str, np.ndarray], segment: str, window: int,
             rng: np.random.Generator, preroll: int = 0) -> Split:
    """Cut one segment into consecutive windows, one embedding point each, after its first ``preroll``
    samples. The front end runs over the whole segment, pre-roll included (its state carries from window to
    window, as on the board); each window's e0/e1 are constant (0 during the pre-roll)."""
    available = frozenset(w for w in waves if w in CORNERS)
    kinds = point_kinds(available)
    # the network plays the target `lookahead` samples behind the core (common/config.py)
    targets = {name: delayed(wave, config.lookahead) for name, wave in waves.items() if name in CORNERS}
    start = int(rng.integers(len(kinds)))
    quantum = 1.0 / config.data_format.scale
    n = (len(waves["core"]) - preroll) // window
    length = n * window
    waves = {**waves, "core": waves["core"], "freq": waves.get("freq")}
    e0s, e1s, ys, points, labels = np.zeros(preroll + length), np.zeros(preroll + length), [], [], []
    for i in range(n):
        kind = kinds[(start + i) % len(kinds)]
        e0, e1 = sample_point(kind, rng, quantum)
        piece = {name: wave[preroll + i * window:preroll + (i + 1) * window] for name, wave in targets.items()}
        e0s[preroll + i * window:preroll + (i + 1) * window] = e0
        e1s[preroll + i * window:preroll + (i + 1) * window] = e1
        ys.append(blend(piece, e0, e1))
        points.append((e0, e1))
        labels.append(kind if kind in CORNERS else "blend")
    x = make_inputs(config, waves["core"][:preroll + length], e0s, e1s)[preroll:].reshape(n, window, config.n_inputs)
    freq = (waves["freq"][preroll:preroll + length].astype(np.float32).reshape(n, window)
            if waves["freq"] is not None else None)
    return Split(x, np.array(ys, dtype=np.float32).reshape(n, window, 1),
                 np.array(points, dtype=np.float32).reshape(n, 2), labels, [segment] * n, freq)


def _concat(parts: list[Split]) -> Split:
    freq = (np.concatenate([p.freq for p in parts]) if parts and all(p.freq is not None for p in parts)
            else None)
    return Split(np.concatenate([p.x for p in parts]), np.concatenate([p.y for p in parts]),
                 np.concatenate([p.points for p in parts]), [lab for p in parts for lab in p.labels],
                 [s for p in parts for s in p.segments], freq)


def imperfect_synthetic_segment(config: ModelConfig, sizes: DataSizes, seed: Iterable[int],
                                profile: str = "imperfect") -> dict[str, np.ndarray]:
    """One imperfect-core take (``train/imperfect.py``, drawn from ``PROFILES[profile]``): a real
    oscillator's kind of core, targets on its own phase, and ``freq``; with the pre-roll, as
    :func:`synthetic_segment`."""
    rng = np.random.default_rng(list(seed))
    n = int(round(sizes.segment_seconds * config.sample_rate_hz)) + preroll_samples(config)
    return imperfect_segment(rng, n, config.sample_rate_hz, sizes.fmin_hz, sizes.fmax_hz, PROFILES[profile])


#: Seed tags: ideal takes use the split index (0 train, 1 val, 2 test), imperfect ones 10 + that index, the
#: category takes 20 + 10 k + that index (category k of ``CATEGORIES``).
_IMPERFECT = 10
_CATEGORY = 20


def _synthetic_jobs(sizes: DataSizes, seed: int, test_seed: int) -> list[tuple]:
    """Every take to synthesize: (set it goes to, its seed, its profile or None for an ideal take)."""
    counts = {"train": sizes.train_segments, "val": sizes.val_segments, "test": sizes.test_segments}
    jobs = [(split, (seed, tag, i), None) for tag, split in enumerate(SPLITS) if split != "test"
            for i in range(counts[split])]
    jobs += [("train", (seed, _IMPERFECT, i), "imperfect") for i in range(sizes.imperfect_train_segments)]
    for k, category in enumerate(CATEGORIES):
        jobs += [("train", (seed, _CATEGORY + 10 * k, i), category) for i in range(sizes.category_train_segments)]
    # the headline test sets, from the test seed; then the same draws from the training seed: the
    # development sets (the held-out takes earlier recipes were compared on)
    for name, at in (("test", test_seed), ("dev", seed)):
        jobs += [(name, (at, 2, i), None) for i in range(sizes.test_segments)]
        jobs += [(f"{name}_imperfect", (at, _IMPERFECT + 2, i), "imperfect")
                 for i in range(sizes.imperfect_test_segments)]
    for k, category in enumerate(CATEGORIES):
        jobs += [(f"test_{category}", (test_seed, _CATEGORY + 10 * k + 2, i), category)
                 for i in range(sizes.category_test_segments)]
    return jobs


def _synthetic_splits(config: ModelConfig, sizes: DataSizes, seed: int, test_seed: int,
                      progress: bool) -> dict[str, Split]:
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    jobs = _synthetic_jobs(sizes, seed, test_seed)

    def make(job):
        split, take_seed, profile = job
        if profile is None:
            waves = synthetic_segment(config, sizes, take_seed)
        else:
            waves = imperfect_synthetic_segment(config, sizes, take_seed, profile)
        return _windows(config, waves, f"{profile or 'synthetic'}-{split}-{take_seed[2]}", sizes.window,
                        np.random.default_rng([*take_seed, 1]), preroll_samples(config))

    # Each segment has its own seed (seed, tag, index): splits never share a take, and a segment does
    # not depend on how many others are generated (nor its windows' embedding points, drawn from the
    # take's own seed), so the takes are made two at a time. Each thread's matrix products stay on one
    # core: two threads each calling a two-thread BLAS would contend for the same two cores.
    with ThreadPoolExecutor(max_workers=2) as pool, threadpool_limits(limits=1, user_api="blas"):
        windows = list(tqdm(pool.map(make, jobs), total=len(jobs), desc="synthesizing segments", unit="seg",
                            disable=not progress))
    out = {}
    for split in (*SPLITS, *TEST_SETS):
        parts = [part for (name, _, _), part in zip(jobs, windows, strict=True) if name == split]
        if parts:
            out[split] = _concat(parts)
    return out


def _recorded_splits(config: ModelConfig, data: str | Path, sizes: DataSizes, seed: int) -> Splits:
    recordings, skipped = load_recordings(config, data, min_samples=sizes.window)
    names = sorted({r.segment for r in recordings})
    n_val, n_test = sizes.recorded_val_segments, sizes.recorded_test_segments
    if len(names) < n_val + n_test + 1:
        short = (f" ({len(skipped)} file(s) shorter than one window of {sizes.window} samples were skipped: "
                 f"{', '.join(s.path for s in skipped)})" if skipped else "")
        raise DatasetError(
            f"{data}: {len(names)} segment(s) ({', '.join(names)}) but splitting by take needs at least "
            f"{n_val + n_test + 1}: {n_test} for test, {n_val} for validation and one to train on; record "
            f"more takes (each with its own 'segment' name){short}")
    order = [names[i] for i in np.random.default_rng([seed, 7]).permutation(len(names))]
    assignment = {name: "test" for name in order[:n_test]}
    assignment.update({name: "val" for name in order[n_test:n_test + n_val]})
    out = {}
    for split in SPLITS:
        parts = [_windows(config, r.waves, r.segment, sizes.window, np.random.default_rng([seed, i, 1]))
                 for i, r in enumerate(recordings) if assignment.get(r.segment, "train") == split]
        out[split] = _concat(parts)
    return Splits(out, skipped)


def load_splits(config: ModelConfig, data: str | Path | None = None, seed: int = 0, progress: bool = False,
                test_seed: int = HEADLINE_TEST_SEED, **sizes) -> Splits:
    """Train / validation / test windows: synthetic when ``data`` is None, else the recording manifest
    (a ``manifest.json`` or its directory; files shorter than a window are skipped and listed in
    ``Splits.skipped``). ``sizes`` override :class:`DataSizes` fields. Deterministic in ``seed`` and
    ``test_seed``. Synthetic data has the held-out sets of ``TEST_SETS`` (``test`` and the imperfect ones
    drawn from ``test_seed``, ``dev`` and ``dev_imperfect`` from ``seed``); a set with no takes is left
    out."""
    if config.n_outputs != 1:
        raise DatasetError(f"layers[-1].filters: the dataset has one target wave, so the network needs "
                           f"exactly one output, got {config.n_outputs}")
    make_inputs(config, np.zeros(1), 0.0, 0.0)  # a role without a source fails before any work
    dims = DataSizes.from_kwargs(**sizes)
    if dims.window <= config.receptive_field:
        raise DatasetError(f"window: {dims.window} samples leave nothing after the receptive field "
                           f"({config.receptive_field}) warm-up")
    if data is None:
        take = int(round(dims.segment_seconds * config.sample_rate_hz))
        if take < dims.window:
            shortest = dims.window / config.sample_rate_hz
            raise DatasetError(
                f"train.segment_seconds: a take of {dims.segment_seconds:g} s is {take} samples at "
                f"{config.sample_rate_hz} Hz, shorter than one training window (train.window = {dims.window} "
                f"samples), so no split would hold a window; use segment_seconds >= {shortest:.6g} or a smaller "
                f"window")
        return Splits(_synthetic_splits(config, dims, seed, test_seed, progress))
    return _recorded_splits(config, data, dims, seed)


def embedding_sweep_jacks(config: ModelConfig, seconds: float, frequency_hz: float = 110.0) -> np.ndarray:
    """One continuous jack signal (T, jack roles) of int64 codes: a band-limited core triangle at
    ``frequency_hz`` while (e0, e1) slowly walk the whole square (all four corners, the edges and the
    interior; see ``train.embedding.sweep_path``). For listening tests and the simulator's sweep."""
    n = int(round(seconds * config.sample_rate_hz))
    freq = np.full(n, float(frequency_hz))
    core = synthesize(phase_from_frequency(freq, config.sample_rate_hz), freq, config.sample_rate_hz,
                      ("core",))["core"]
    path = sweep_path(n)
    return jack_codes(config, core, path[:, 0], path[:, 1])


def embedding_sweep(config: ModelConfig, seconds: float, frequency_hz: float = 110.0) -> np.ndarray:
    """:func:`embedding_sweep_jacks` through the front end: the network input (T, n_inputs) float32."""
    codes, _ = network_inputs(config, embedding_sweep_jacks(config, seconds, frequency_hz))
    return (codes / config.data_format.scale).astype(np.float32)
