"""Recorded training data: a JSON manifest beside multichannel WAV files, checked before any training.

This module defines the manifest format (:data:`MANIFEST_FORMAT`, :data:`RECORDING_ROLES`,
:func:`make_manifest`); ``firmware_datalogger capture`` writes its manifests with :func:`make_manifest`::

    {"format": "waveshaper-recording/1", "sample_rate_hz": 192000, "volts_full_scale": 8.192,
     "files": [{"path": "take1.wav", "segment": "take1", "channels": ["core", "sine", "square", "ramp"]}],
     "dropped_frames": 0, "calibration": {...optional...}}

* ``path`` is relative to the manifest's directory. Every channel of a file was sampled at the same
  instants, so waves of one file are phase-locked to its ``core`` and can be blended.
* ``segment`` names the recording take. Splits are made by segment (files of one segment always land in
  the same split), never by windows of one take, so validation and test measure generalisation.
* Channel roles: ``core`` (exactly one per file), any of ``sine``/``ramp``/``square``/``zigzag`` (each at
  most once), ``unused`` (ignored).
* Samples: int16, int32 or float32 WAV (``scipy.io.wavfile``). Integer full scale (int16 32767, int32
  2147483647) and float 1.0 mean ``volts_full_scale`` volts; divided by ``config.volts_per_unit`` that
  gives network units (the codec's +-8.192 V at 5 V/unit is +-1.638).
* ``calibration`` is provenance only: the datalogger applies the calibration before writing samples.
* ``dropped_frames`` is informational: the datalogger starts a new file (same segment) at every gap and
  never splices audio across one; each file after a gap records it in an optional ``gap_before`` object.
* A file shorter than one training window holds no window: it is skipped with a
  :class:`ShortRecordingWarning` naming it and the samples lost, and listed (a :class:`SkippedFile` each)
  for the training report. Capture makes such parts whenever a gap falls near the start or the end of a take,
  or two gaps fall close together (a frame is 256 samples, a window 1024).
* The DC offset is measured over the whole take (all its files): a part cut short at a gap may hold a
  fraction of a cycle, whose mean is not zero even for a centred wave.

Every problem raises :class:`DatasetError` naming the file, channel and what to do, before training.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import ModelConfig, is_real
from common.roles import CORE
from train.errors import DatasetError
from train.waves import TARGET_WAVES

__all__ = ["DatasetError", "MANIFEST_FORMAT", "RECORDING_ROLES", "RecordedFile", "ShortRecordingWarning",
           "SkippedFile", "load_manifest", "load_recordings", "make_manifest", "CLIP_RUN", "MAX_DC_UNITS"]

MANIFEST_FORMAT = "waveshaper-recording/1"
#: What a recorded channel may hold: the core wave, a target wave, or nothing of use.
RECORDING_ROLES = (CORE, *TARGET_WAVES, "unused")
#: This many consecutive samples at integer full scale (or |x| >= 1.0 for float) mean the ADC clipped.
CLIP_RUN = 4
#: Largest acceptable mean of a channel, in network units (0.05 = 250 mV at 5 V/unit): the waves are
#: zero-mean oscillator outputs, so a larger mean is a DC offset (uncalibrated input, AC/DC coupling).
MAX_DC_UNITS = 0.05

_FULL_SCALE = {np.dtype(np.int16): 32767.0, np.dtype(np.int32): 2147483647.0, np.dtype(np.float32): 1.0}


@dataclass(frozen=True)
class RecordedFile:
    """One checked WAV: its segment and its waves in network units (float64), keyed by role."""

    path: Path
    segment: str
    waves: dict[str, np.ndarray]

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(w for w in self.waves if w in TARGET_WAVES)

    def __len__(self) -> int:
        return len(self.waves["core"])


class ShortRecordingWarning(UserWarning):
    """A recorded file shorter than one training window, left out of the dataset."""


@dataclass(frozen=True)
class SkippedFile:
    """A file of the manifest left out because it is shorter than one training window: its ``path`` as the
    manifest lists it, its ``segment`` and its length ``samples`` (per channel), all of them lost."""

    path: str
    segment: str
    samples: int

    def as_dict(self) -> dict:
        return {"path": self.path, "segment": self.segment, "samples": self.samples}


def make_manifest(sample_rate_hz: int, volts_full_scale: float, files: list[dict], *, dropped_frames: int = 0,
                  calibration: dict | None = None) -> dict:
    """A manifest in this format: ``files`` entries are ``{"path", "segment", "channels"}`` (roles from
    :data:`RECORDING_ROLES`); ``calibration`` is optional provenance."""
    manifest = {"format": MANIFEST_FORMAT, "sample_rate_hz": sample_rate_hz, "volts_full_scale": volts_full_scale,
                "files": files, "dropped_frames": dropped_frames}
    if calibration is not None:
        manifest["calibration"] = calibration
    return manifest


def _manifest_path(data: str | Path) -> Path:
    path = Path(data)
    if path.is_dir():
        path = path / "manifest.json"
    if not path.exists():
        raise DatasetError(f"{path}: manifest not found (pass a manifest.json or the directory holding it)")
    return path


def load_manifest(data: str | Path) -> tuple[Path, dict]:
    """Read and check the manifest's structure; returns (manifest path, manifest dict)."""
    path = _manifest_path(data)
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict):
        raise DatasetError(f"{path}: the manifest must be a JSON object")
    if manifest.get("format") != MANIFEST_FORMAT:
        raise DatasetError(f"{path}: format must be {MANIFEST_FORMAT!r}, got {manifest.get('format')!r}")
    for key in ("sample_rate_hz", "volts_full_scale", "files"):
        if key not in manifest:
            raise DatasetError(f"{path}: missing field {key!r}")
    rate = manifest["sample_rate_hz"]
    if not isinstance(rate, int) or isinstance(rate, bool) or rate <= 0:
        raise DatasetError(f"{path}: sample_rate_hz must be a positive integer (samples per second), got {rate!r}")
    if not is_real(manifest["volts_full_scale"]) or manifest["volts_full_scale"] <= 0:
        raise DatasetError(f"{path}: volts_full_scale must be a positive finite number, got "
                           f"{manifest['volts_full_scale']!r}")
    dropped = manifest.get("dropped_frames", 0)
    if not isinstance(dropped, int) or isinstance(dropped, bool) or dropped < 0:
        raise DatasetError(f"{path}: dropped_frames must be a non-negative integer, got {dropped!r}")
    # dropped_frames > 0 is fine: the capture starts a new file at every gap, so no WAV splices audio
    # across missing samples.
    files = manifest["files"]
    if not isinstance(files, list) or not files:
        raise DatasetError(f"{path}: files must be a non-empty list")
    for i, entry in enumerate(files):
        where = f"{path}: files[{i}]"
        if not isinstance(entry, dict) or not {"path", "segment", "channels"} <= set(entry):
            raise DatasetError(f"{where}: needs path, segment and channels")
        for key, what in (("path", "the WAV file's name, relative to the manifest"), ("segment", "the take's name")):
            if not isinstance(entry[key], str) or not entry[key].strip():
                raise DatasetError(f"{where}: {key} must be a non-empty string ({what}), got {entry[key]!r}")
        channels = entry["channels"]
        if not isinstance(channels, list) or not channels:
            raise DatasetError(f"{where}: channels must be a non-empty list of roles")
        for role in channels:
            if not isinstance(role, str) or role not in RECORDING_ROLES:
                raise DatasetError(f"{where}: unknown channel role {role!r}; known roles: "
                                   f"{', '.join(RECORDING_ROLES)}")
        used = [r for r in channels if r != "unused"]
        if used.count("core") != 1:
            raise DatasetError(f"{where}: needs exactly one 'core' channel, got {used.count('core')}")
        duplicated = sorted({r for r in used if used.count(r) > 1})
        if duplicated:
            raise DatasetError(f"{where}: role {duplicated[0]!r} appears more than once")
        if not any(r in TARGET_WAVES for r in used):
            raise DatasetError(f"{where}: no target wave channel (one of {', '.join(TARGET_WAVES)})")
    return path, manifest


def _check_channel(name: str, raw: np.ndarray, full_scale: float) -> None:
    if raw.dtype.kind == "f" and not np.all(np.isfinite(raw)):
        bad = int(np.argmax(~np.isfinite(raw)))
        raise DatasetError(f"{name}: NaN or inf sample (first at sample {bad})")
    if not raw.any():
        raise DatasetError(f"{name}: every sample is 0 (an unplugged jack reads 0); patch the oscillator into "
                           "this input, or name the channel 'unused' in the manifest")
    at_rail = (raw >= full_scale) | (raw <= -full_scale - (1 if raw.dtype.kind == "i" else 0))
    if at_rail.any():
        # Longest run of consecutive full-scale samples.
        edges = np.diff(np.concatenate([[0], at_rail.view(np.int8), [0]]))
        runs = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
        if runs.max() >= CLIP_RUN:
            first = int(np.flatnonzero(edges == 1)[np.argmax(runs >= CLIP_RUN)])
            raise DatasetError(
                f"{name}: clipped: {int(runs.max())} consecutive full-scale samples (first run at sample "
                f"{first}); lower the level so the wave stays inside the ADC range")


def _check_dc(files: list[tuple[RecordedFile, str, dict[str, int]]]) -> None:
    """Every role's mean over each take (all its files), in network units, within :data:`MAX_DC_UNITS`.
    ``files``: each file, where it is (for messages) and the channel index of each role."""
    takes: dict[str, list] = {}
    for item in files:
        takes.setdefault(item[0].segment, []).append(item)
    for segment, items in takes.items():
        for role in dict.fromkeys(r for rec, _, _ in items for r in rec.waves):
            holding = [(rec, where, channel[role]) for rec, where, channel in items if role in rec.waves]
            mean = (sum(float(np.sum(rec.waves[role])) for rec, _, _ in holding)
                    / sum(len(rec.waves[role]) for rec, _, _ in holding))
            if abs(mean) <= MAX_DC_UNITS:
                continue
            if len(holding) == 1:
                _, where, c = holding[0]
                name = f"{where} channel {c} ({role})"
            else:
                name = (f"segment {segment!r} ({len(holding)} files: "
                        f"{', '.join(rec.path.name for rec, _, _ in holding)}), role {role}")
            raise DatasetError(f"{name}: DC offset of {mean:+.3f} network units (limit {MAX_DC_UNITS}); calibrate "
                               "the input or remove the offset before recording")


def _read_wav(path: Path, where: str):
    from scipy.io import wavfile

    if not path.exists():
        raise DatasetError(f"{where}: file {path} does not exist")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            rate, data = wavfile.read(path)
    except (ValueError, OSError) as exc:
        raise DatasetError(f"{where}: {path} is not a readable WAV file: {exc}") from exc
    return rate, data


def load_recordings(config: ModelConfig, data: str | Path,
                    min_samples: int) -> tuple[list[RecordedFile], list[SkippedFile]]:
    """Every file of the manifest holding at least ``min_samples`` samples (one training window), checked
    and converted to network units; and the files skipped for being shorter (each with a
    :class:`ShortRecordingWarning`)."""
    manifest_path, manifest = load_manifest(data)
    if manifest["sample_rate_hz"] != config.sample_rate_hz:
        raise DatasetError(
            f"{manifest_path}: sample_rate_hz is {manifest['sample_rate_hz']} but the model config "
            f"({config.name}) runs at sample_rate_hz = {config.sample_rate_hz}; record at the model's rate "
            f"(resampling would need a proper anti-alias filter)")
    units_per_fs = manifest["volts_full_scale"] / config.volts_per_unit
    kept, skipped = [], []
    for i, entry in enumerate(manifest["files"]):
        wav = manifest_path.parent / entry["path"]
        where = f"{manifest_path}: files[{i}] ({entry['path']})"
        rate, raw = _read_wav(wav, where)
        if rate != config.sample_rate_hz:
            raise DatasetError(
                f"{where}: the WAV header says {rate} Hz but the model config needs "
                f"sample_rate_hz = {config.sample_rate_hz} (the manifest says {manifest['sample_rate_hz']})")
        if raw.dtype not in _FULL_SCALE:
            raise DatasetError(f"{where}: sample type {raw.dtype} unsupported; use int16, int32 or float32")
        if raw.size == 0:
            raise DatasetError(f"{where}: {wav} holds no samples (an empty recording)")
        raw = raw.reshape(len(raw), -1)
        if raw.shape[1] != len(entry["channels"]):
            raise DatasetError(
                f"{where}: the WAV has {raw.shape[1]} channels but the manifest lists "
                f"{len(entry['channels'])} ({', '.join(entry['channels'])})")
        if len(raw) < min_samples:
            skipped.append(SkippedFile(str(entry["path"]), str(entry["segment"]), len(raw)))
            warnings.warn(f"{where}: only {len(raw)} samples, shorter than one training window ({min_samples}): "
                          f"skipped, {len(raw)} samples lost", ShortRecordingWarning, stacklevel=2)
            continue
        full_scale = _FULL_SCALE[raw.dtype]
        waves, channel = {}, {}
        for c, role in enumerate(entry["channels"]):
            if role == "unused":
                continue
            _check_channel(f"{where} channel {c} ({role})", raw[:, c], full_scale)
            waves[role] = raw[:, c].astype(np.float64) / full_scale * units_per_fs
            channel[role] = c
        kept.append((RecordedFile(wav, str(entry["segment"]), waves), where, channel))
    if not kept:
        raise DatasetError(f"{manifest_path}: no file holds one training window ({min_samples} samples); the "
                           f"longest has {max(s.samples for s in skipped)}")
    _check_dc(kept)
    return [rec for rec, _, _ in kept], skipped
