"""Captured takes load with the training stage's loader (``train.recorded``) and drive a training smoke run."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from firmware_datalogger import protocol
from firmware_datalogger.capture import capture

RATE = 192_000
ROOT = Path(__file__).resolve().parents[2]


class _Port:
    def __init__(self, data: bytes):
        self.chunks = [data[i:i + 8192] for i in range(0, len(data), 8192)]
        self.in_waiting = 8192

    def read(self, n):
        return self.chunks.pop(0) if self.chunks else b""


def _take(seed: int, seconds: float) -> tuple[np.ndarray, bytes]:
    """core triangle + sine target at the codec's 4000 counts/V (about +-5 V), framed like the gateware."""
    n = int(seconds * RATE) // 256 * 256 + 256
    t = np.arange(n) / RATE
    f = 220.0 * (1 + seed / 10)
    phase = (t * f) % 1.0
    tri = 4 * np.abs(phase - 0.5) - 1
    x = np.stack([np.round(20000 * tri), np.round(18000 * np.sin(2 * np.pi * phase))], axis=1).astype(np.int16)
    wire = b"".join(protocol.encode_frame(x[i:i + 256], sample_rate_hz=RATE, sequence=i // 256)
                    for i in range(0, n, 256))
    return x, wire


@pytest.fixture
def recording(tmp_path):
    out = tmp_path / "oscillators"
    takes = []
    for seed in range(3):
        x, wire = _take(seed, 0.1)
        result = capture("fake", 0.1, out, roles=("core", "sine"), serial_port=_Port(wire), progress=False)
        assert result.stats["lost_frames"] == 0
        takes.append(x[: result.samples])
    return out, takes


def test_manifest_loads_with_train_loader(recording):
    from common.config import load_config
    from train import dataset

    out, takes = recording
    config = load_config(ROOT / "configs" / "default.toml")
    recordings = dataset.load_recordings(config, out, min_samples=1024)
    assert sorted(r.segment for r in recordings) == ["oscillators", "oscillators_2", "oscillators_3"]
    units = 8.192 / config.volts_per_unit / 32767
    for rec, x in zip(sorted(recordings, key=lambda r: r.segment), takes, strict=True):
        assert np.array_equal(np.round(rec.waves["core"] / units), x[:, 0])
        assert np.array_equal(np.round(rec.waves["sine"] / units), x[:, 1])
    splits = dataset.load_splits(config, data=out / "manifest.json", window=1024)
    assert {name: len(s) > 0 for name, s in splits.items()} == {name: True for name in splits}


@pytest.mark.slow
def test_training_smoke_run_on_capture(recording, tmp_path):
    out, _ = recording
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-m", "train", "--smoke", "--data", str(out / "manifest.json"),
                          "--out", str(tmp_path / "train"), "--quiet"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
