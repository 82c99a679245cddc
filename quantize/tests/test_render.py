"""The sweep WAV: 192 kHz stereo int16, golden output on channel 0 and the core wave on channel 1."""

from __future__ import annotations

import numpy as np
from scipy.io import wavfile

from quantize.golden import run_streaming
from quantize.render import embedding_sweep, fallback_sweep, render_sweep
from quantize.weights import random_network

from .conftest import default_config


def test_wav_holds_golden_output_and_core_wave(tmp_path, rng):
    config = default_config()
    network = random_network(config, rng)
    summary = render_sweep(network, tmp_path / "sweep.wav", seconds=0.01)
    rate, wav = wavfile.read(tmp_path / "sweep.wav")
    assert rate == 192_000 and wav.dtype == np.int16 and wav.shape == (1920, 2)
    x, _ = embedding_sweep(config, 0.01)
    codes = np.clip(np.rint(x.astype(np.float64) * 4096), -32768, 32767).astype(np.int64)
    assert np.array_equal(wav[:, 1], codes[:, config.inputs.index("core")])
    assert np.array_equal(wav[:, 0], run_streaming(network, codes).output[:, 0])  # independent form
    assert summary["sweep_source"]


def test_fallback_sweep_scans_the_whole_embedding_square():
    config = default_config()
    x = fallback_sweep(config, 0.5)
    e0, e1 = x[:, config.inputs.index("e0")], x[:, config.inputs.index("e1")]
    assert x.dtype == np.float32 and x.shape == (96_000, 4)
    assert np.all(x[:, config.inputs.index("zero")] == 0)
    for corner in ((0, 0), (0, 1), (1, 0), (1, 1)):
        assert np.min(np.hypot(e0 - corner[0], e1 - corner[1])) < 0.1, corner
    assert np.abs(x[:, 0]).max() <= 1.0
