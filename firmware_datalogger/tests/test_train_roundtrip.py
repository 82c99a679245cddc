"""Captured takes load with the training stage's loader (``train.recorded``) and drive a training smoke run;
a take split at gaps loads too, its parts shorter than a training window skipped and counted."""

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
CONFIG = ROOT / "configs" / "default.toml"


def _window() -> int:
    """The training window of the default config's ``[train]`` table (what ``make train`` uses)."""
    from train.settings import load_settings

    return load_settings(CONFIG).window


class _Port:
    def __init__(self, data: bytes):
        self.chunks = [data[i:i + 8192] for i in range(0, len(data), 8192)]
        self.in_waiting = 8192

    def read(self, n):
        return self.chunks.pop(0) if self.chunks else b""


def _take(seed: int, seconds: float, damaged=()) -> tuple[np.ndarray, bytes]:
    """core triangle + sine target at the codec's 4000 counts/V (about +-5 V), framed like the gateware;
    the frames numbered in ``damaged`` arrive with a flipped bit (the parser drops them: a gap)."""
    n = int(seconds * RATE) // 256 * 256 + 256
    t = np.arange(n) / RATE
    f = 220.0 * (1 + seed / 10)
    phase = (t * f) % 1.0
    tri = 4 * np.abs(phase - 0.5) - 1
    x = np.stack([np.round(20000 * tri), np.round(18000 * np.sin(2 * np.pi * phase))], axis=1).astype(np.int16)
    frames = [bytearray(protocol.encode_frame(x[i:i + 256], sample_rate_hz=RATE, sequence=i // 256))
              for i in range(0, n, 256)]
    for k in damaged:
        frames[k][protocol.HEADER_BYTES + 5] ^= 0x10
    return x, b"".join(bytes(f) for f in frames)


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
    config = load_config(CONFIG)
    recordings, skipped = dataset.load_recordings(config, out, min_samples=_window())
    assert sorted(r.segment for r in recordings) == ["oscillators", "oscillators_2", "oscillators_3"]
    assert skipped == []
    units = 8.192 / config.volts_per_unit / 32767
    for rec, x in zip(sorted(recordings, key=lambda r: r.segment), takes, strict=True):
        assert np.array_equal(np.round(rec.waves["core"] / units), x[:, 0])
        assert np.array_equal(np.round(rec.waves["sine"] / units), x[:, 1])
    splits = dataset.load_splits(config, data=out / "manifest.json", window=_window())
    assert {name: len(s) > 0 for name, s in splits.items()} == {name: True for name in splits}


#: Damaged frames per take (256 samples each; 80 frames sent, 75 recorded). Take 0 loses frame 2, so its
#: first part is frames 0-1 (512 samples); take 1 loses frames 30 and 32, leaving frame 31 alone (256);
#: take 2 loses frame 72, leaving its last part (frames 73-75, up to the 75 frames asked for) 768 long;
#: take 3 has no gap. Every short part is shorter than the window (1024), the others far longer.
GAPS = {0: (2,), 1: (30, 32), 2: (72,), 3: ()}


@pytest.fixture
def gap_split_recording(tmp_path):
    out = tmp_path / "gappy"
    expected = {}
    for seed, damaged in GAPS.items():
        x, wire = _take(seed, 80 * 256 / RATE - 1e-6, damaged)
        result = capture("fake", 75 * 256 / RATE, out, roles=("core", "sine"), serial_port=_Port(wire), progress=False)
        assert result.stats["lost_frames"] == len(damaged) and not result.interrupted
        received = [k for k in range(80) if k not in damaged][:75]
        runs = np.split(np.array(received), np.flatnonzero(np.diff(received) != 1) + 1)
        expected[result.take] = [x[r[0] * 256:(r[-1] + 1) * 256] for r in runs]
    return out, expected


def test_gap_split_capture_loads_with_short_parts_skipped(gap_split_recording):
    """Capture writes one file per run of consecutive frames; the loader skips the parts shorter than a
    window, each with a warning naming it and the samples lost, keeps every other part sample for sample,
    and the splits record what was skipped for the training report."""
    from common.config import load_config
    from train import dataset
    from train.recorded import ShortRecordingWarning

    out, expected = gap_split_recording
    window = _window()
    assert window == 1024
    parts = {f"{take}.wav" if k == 0 else f"{take}_part{k + 1}.wav": (take, run)
             for take, runs in expected.items() for k, run in enumerate(runs)}
    short = {path: len(run) for path, (_, run) in parts.items() if len(run) < window}
    assert short == {"gappy.wav": 512, "gappy_2_part2.wav": 256, "gappy_3_part2.wav": 768}
    config = load_config(CONFIG)
    with pytest.warns(ShortRecordingWarning) as caught:
        recordings, skipped = dataset.load_recordings(config, out, min_samples=window)
    messages = [str(w.message) for w in caught]
    for path, samples in short.items():
        assert any(f"({path}): only {samples} samples, shorter than one training window (1024): skipped, "
                   f"{samples} samples lost" in m for m in messages), (path, messages)
    assert len(messages) == len(short)
    assert [(s.path, s.samples) for s in skipped] == list(short.items())
    units = 8.192 / config.volts_per_unit / 32767
    kept = {rec.path.name: rec for rec in recordings}
    assert set(kept) == set(parts) - set(short)
    for path, rec in kept.items():
        take, run = parts[path]
        assert rec.segment == take
        assert np.array_equal(np.round(rec.waves["core"] / units), run[:, 0])
        assert np.array_equal(np.round(rec.waves["sine"] / units), run[:, 1])
    with pytest.warns(ShortRecordingWarning):
        splits = dataset.load_splits(config, data=out / "manifest.json", window=window)
    assert all(len(splits[name]) > 0 for name in ("train", "val", "test"))
    assert splits.skip_report() == {"files": [{"path": p, "segment": parts[p][0], "samples": n}
                                              for p, n in short.items()], "samples": 512 + 256 + 768}


@pytest.mark.slow
def test_training_smoke_run_on_capture(recording, tmp_path):
    out, _ = recording
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([sys.executable, "-m", "train", "--smoke", "--data", str(out / "manifest.json"),
                          "--out", str(tmp_path / "train"), "--quiet"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
