"""Test helpers: tiny dataset sizes and recorded datasets (WAV + manifest) written into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from common.config import load_config
from train.waves import phase_from_frequency, synthesize

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = ROOT / "configs" / "default.toml"
FS = 192_000
VOLTS_FULL_SCALE = 8.192
#: Small, fast synthetic dataset sizes for tests.
TINY = dict(window=256, segment_seconds=0.02, train_segments=3, val_segments=1, test_segments=1,
            fmin_hz=300.0, fmax_hz=3000.0)


def int16_codes(units: np.ndarray, volts_per_unit: float = 5.0) -> np.ndarray:
    """Network units -> int16 WAV codes with 32767 = VOLTS_FULL_SCALE volts (the manifest convention)."""
    return np.round(units * volts_per_unit / VOLTS_FULL_SCALE * 32767).astype(np.int16)


def recorded_waves(n: int, frequency: float, phase0: float = 0.0) -> dict[str, np.ndarray]:
    freq = np.full(n, frequency)
    return synthesize(phase_from_frequency(freq, FS, start=phase0), freq, FS)


def write_recording(directory: Path, takes: list[dict], *, rate: int = FS, manifest_rate: int = FS,
                    extra: dict | None = None) -> Path:
    """Write WAVs and a manifest. Each take: {"name", "channels", "data" (n, C) array, "dtype"?}."""
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for take in takes:
        wavfile.write(directory / f"{take['name']}.wav", rate, take["data"])
        files.append({"path": f"{take['name']}.wav", "segment": take.get("segment", take["name"]),
                      "channels": take["channels"]})
    manifest = {"format": "waveshaper-recording/1", "sample_rate_hz": manifest_rate,
                "volts_full_scale": VOLTS_FULL_SCALE, "files": files, "dropped_frames": 0,
                "calibration": {"note": "test"}}
    manifest.update(extra or {})
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def good_takes(n: int = 3840, count: int = 4, channels=("core", "sine", "square", "ramp")) -> list[dict]:
    takes = []
    for i in range(count):
        waves = recorded_waves(n, 250.0 * (i + 1), phase0=0.1 * i)  # whole cycles: no DC
        data = np.stack([int16_codes(waves[c]) if c != "unused" else np.zeros(n, np.int16) for c in channels], axis=1)
        takes.append({"name": f"take{i}", "channels": list(channels), "data": data})
    return takes


def grow_configs(rounding: str = "half_up"):
    """The default network and the 25F network, both with ``rounding``: a growth's two ends (train/grow.py)."""
    small = load_config(ROOT / "configs" / "default.toml").replace(rounding=rounding)
    big = load_config(ROOT / "configs" / "colorlight_i5.toml").replace(rounding=rounding)
    return small, big


def random_weights(config, rng, scale: float, on_grid: bool = True):
    """Per layer (kernel (K, Cin, Cout), bias) as Keras holds them, small values on the FP4.12 grid."""
    out = []
    for i, lc in enumerate(config.layers):
        shape = (lc.kernel_size, config.in_channels(i), lc.filters)
        kernel, bias = rng.normal(0, scale, shape), rng.normal(0, scale, lc.filters)
        if on_grid:
            kernel, bias = np.round(kernel * 4096) / 4096, np.round(bias * 4096) / 4096
        out.append((kernel.astype(np.float32), bias.astype(np.float32)))
    return out
