"""The sweep WAV: 192 kHz stereo int16, golden output on channel 0 and the core wave on channel 1."""

from __future__ import annotations

import numpy as np
from scipy.io import wavfile

from quantize.golden import run_streaming
from quantize.render import embedding_sweep, render_sweep
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
    assert summary["sweep_source"] == "train.dataset.embedding_sweep"
