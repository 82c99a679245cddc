"""Test metrics: MSE and SNR per target wave and for blended (interpolated) points.

SNR = 10 log10(sum y^2 / sum (y - yhat)^2) over the test windows, skipping each window's first
``receptive_field - 1`` outputs (warm-up on causal zero padding, which the running hardware never sees).
"""

from __future__ import annotations

import numpy as np

from common.config import ModelConfig
from train.dataset import Split
from train.waves import TARGET_WAVES

__all__ = ["snr_db", "metrics", "GROUPS"]

#: Report groups: each corner wave, and every non-corner point together.
GROUPS = (*TARGET_WAVES, "blend")


def snr_db(y: np.ndarray, y_hat: np.ndarray, skip: int) -> float:
    """SNR in dB of ``y_hat`` against ``y`` (N, T, C) after ``skip`` warm-up steps per window."""
    y = np.asarray(y, dtype=np.float64)[:, skip:]
    err = y - np.asarray(y_hat, dtype=np.float64)[:, skip:]
    signal, noise = float(np.sum(y**2)), float(np.sum(err**2))
    if noise == 0.0:
        return float("inf")
    return 10.0 * np.log10(signal / noise)


def metrics(config: ModelConfig, split: Split, y_hat: np.ndarray) -> dict:
    """``mse`` over the whole split and ``snr_db`` per group (``all`` included); groups absent from the
    split (e.g. a wave not recorded in the test takes) are left out."""
    skip = config.receptive_field - 1
    labels = np.array(split.labels)
    err = split.y[:, skip:].astype(np.float64) - y_hat[:, skip:]
    out = {"mse": float(np.mean(err**2)), "snr_db": {}, "windows": {}}
    for group in GROUPS:
        mask = labels == group
        if mask.any():
            out["snr_db"][group] = round(snr_db(split.y[mask], y_hat[mask], skip), 3)
            out["windows"][group] = int(mask.sum())
    out["snr_db"]["all"] = round(snr_db(split.y, y_hat, skip), 3)
    return out


#: Octaves across the synthetic range for the per-frequency report.
REPORT_FREQUENCIES_HZ = (27.5, 55.0, 110.0, 220.0, 440.0, 880.0, 1760.0, 3520.0)


def snr_by_frequency(config: ModelConfig, model, frequencies=REPORT_FREQUENCIES_HZ) -> dict:
    """SNR (dB) of each corner wave for a steady synthetic tone at each frequency (two cycles, at least
    4096 samples, after the warm-up). Shows where the 64-sample receptive field (0.33 ms at 192 kHz)
    limits the network: at low frequencies the triangle's slope is tiny within the receptive field."""
    from train.dataset import make_inputs
    from train.embedding import CORNERS
    from train.waves import phase_from_frequency, synthesize

    fs = config.sample_rate_hz
    skip = config.receptive_field - 1
    out = {}
    for f in frequencies:
        n = max(4096, skip + int(2 * fs / f))
        freq = np.full(n, float(f))
        waves = synthesize(phase_from_frequency(freq, fs, start=0.13), freq, fs)
        x = np.stack([make_inputs(config, waves["core"], *CORNERS[w]) for w in TARGET_WAVES])
        y = np.stack([waves[w] for w in TARGET_WAVES])[..., None]
        y_hat = model.predict(x, verbose=0)
        out[f"{f:g}"] = {w: round(snr_db(y[i:i + 1], y_hat[i:i + 1], skip), 2) for i, w in enumerate(TARGET_WAVES)}
    return out
