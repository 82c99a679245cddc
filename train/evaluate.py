"""Test metrics: SNR per target wave and blend, per octave band, per steady tone, and harmonic errors.

SNR = 10 log10(sum y^2 / sum (y - yhat)^2) over the test windows, skipping each window's first
``receptive_field - 1`` outputs (warm-up on causal zero padding, which the running hardware never sees).

The *audible* figures count only what lies below 20 kHz: the codec runs at 192 kHz, and part of the
error is ultrasonic. Target and error both pass the same linear-phase low-pass FIR (:func:`audible_filter`:
257 taps, Kaiser window, -6 dB at 20 kHz, about 18 to 22 kHz transition) over each window's scored part,
keeping only the outputs the filter computes from scored samples alone; their SNR is the audible SNR. At a
sample rate whose Nyquist frequency lies at or below 20 kHz, everything is audible and the audible figures
are the full-band ones.

Every function takes the predictions (or a ``predict`` callable from network inputs, float (N, T, C), to
outputs (N, T, 1)), so the same figures are computed for the float model, the QKeras model and the
integer golden model (``quantize/score.py``: what the board plays).
"""

from __future__ import annotations

from collections.abc import Callable
from math import gcd

import numpy as np
from scipy.signal import firwin, oaconvolve

from common.config import ModelConfig
from train.dataset import Split
from train.waves import TARGET_WAVES

__all__ = ["AUDIBLE_HZ", "BANDS", "GROUPS", "HARMONIC_FREQUENCIES_HZ", "audible_filter", "audible_snr", "band_name",
           "band_table", "harmonic_error", "metrics", "settle_samples", "snr_by_frequency", "snr_db", "worst_cell"]

#: Report groups: each corner wave, and every non-corner point together.
GROUPS = (*TARGET_WAVES, "blend")
#: The octave-pair bands of the per-band table (Hz, lower edge included): A0-A2, A2-A4, A4-A6, A6-C8.
BANDS = ((27.5, 110.0), (110.0, 440.0), (440.0, 1760.0), (1760.0, 4186.01))
#: Steady tones whose first harmonics are compared with the target's.
HARMONIC_FREQUENCIES_HZ = (110, 440, 1760)

#: The top of the audible band: the audible figures count the error below it only.
AUDIBLE_HZ = 20_000.0
#: Taps of the audible-band low-pass (odd: linear phase with an integer delay).
AUDIBLE_TAPS = 257

Predict = Callable[[np.ndarray], np.ndarray]


def audible_filter(sample_rate_hz: float) -> np.ndarray | None:
    """The low-pass FIR of the audible figures, or None when the whole band is audible."""
    if sample_rate_hz / 2 <= AUDIBLE_HZ:
        return None
    return firwin(AUDIBLE_TAPS, AUDIBLE_HZ, fs=sample_rate_hz, window=("kaiser", 8.0))


def _scored(config: ModelConfig, split: Split, y_hat: np.ndarray, audible: bool):
    """Target, error and frequency (each (N, T') float64, or None for the frequency) of the scored samples,
    through the audible-band filter when ``audible``; None when the windows are too short for the filter."""
    skip = config.receptive_field - 1
    y = split.y[:, skip:, 0].astype(np.float64)
    err = y - np.asarray(y_hat, dtype=np.float64)[:, skip:, 0]
    freq = None if split.freq is None else split.freq[:, skip:]
    taps = audible_filter(config.sample_rate_hz) if audible else None
    if taps is not None:
        if y.shape[1] < 2 * len(taps):
            return None
        y, err = (oaconvolve(a, taps[None, :], mode="valid", axes=1) for a in (y, err))
        half = len(taps) // 2
        freq = None if freq is None else freq[:, half:freq.shape[1] - half]
    return y, err, freq


def _ratio_db(y: np.ndarray, err: np.ndarray) -> float:
    noise = float(np.sum(err**2))
    return float("inf") if noise == 0.0 else 10.0 * np.log10(float(np.sum(y**2)) / noise)


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


def audible_snr(config: ModelConfig, split: Split, y_hat: np.ndarray) -> dict | None:
    """SNR (dB) per group (``all`` included) of the audible band (module docstring); None when the windows
    are too short for the filter."""
    scored = _scored(config, split, y_hat, audible=True)
    if scored is None:
        return None
    y, err, _ = scored
    labels = np.array(split.labels)
    out = {group: round(_ratio_db(y[labels == group], err[labels == group]), 3)
           for group in GROUPS if (labels == group).any()}
    out["all"] = round(_ratio_db(y, err), 3)
    return out


def band_table(config: ModelConfig, split: Split, y_hat: np.ndarray, audible: bool = False) -> dict | None:
    """SNR (dB) per octave band (rows, ``BANDS``) and group (``GROUPS`` and ``all``), from each sample's
    instantaneous frequency (``split.freq``), of the full band or with ``audible`` of the audible band; None
    when the split has no frequencies (recordings) or its windows are too short for the audible filter."""
    if split.freq is None:
        return None
    scored = _scored(config, split, y_hat, audible)
    if scored is None:
        return None
    y, err, freq = scored
    labels = np.array(split.labels)
    table = {}
    for lo, hi in BANDS:
        in_band = (freq >= lo) & (freq < hi)
        row = {}
        for group in (*GROUPS, "all"):
            mask = in_band & ((labels == group) if group != "all" else np.ones(len(labels), bool))[:, None]
            if mask.any():
                row[group] = round(10.0 * np.log10(np.sum(y[mask] ** 2) / max(np.sum(err[mask] ** 2), 1e-300)), 2)
        if row:
            table[band_name(lo, hi)] = row
    return table


def band_name(lo: float, hi: float) -> str:
    """A band's key in a :func:`band_table` (``"1760-4186"``)."""
    return f"{lo:g}-{hi:.0f}"


def worst_cell(table: dict | None) -> dict | None:
    """The lowest wave x band cell of a :func:`band_table` (the ``all`` column left out): its band, group and
    SNR, and ``missing``, the cells ``"group band"`` that no take of the split reached (a worst cell over
    fewer cells than the table has is named as such, not passed off as every cell's)."""
    cells = [(snr, band, group) for band, row in (table or {}).items() for group, snr in row.items()
             if group != "all"]
    if not cells:
        return None
    snr, band, group = min(cells)
    present = {(b, g) for _, b, g in cells}
    missing = [f"{g} {band_name(lo, hi)}" for lo, hi in BANDS for g in GROUPS
               if (band_name(lo, hi), g) not in present]
    return {"band": band, "group": group, "snr_db": snr, "missing": missing}


def _steady_tone(config: ModelConfig, frequency_hz: float, samples: int):
    """Network inputs (4, T, C) for each corner wave and the targets (4, T, 1) of a steady tone (behind the
    core by ``config.lookahead``)."""
    from train.dataset import delayed, make_inputs
    from train.embedding import CORNERS
    from train.waves import phase_from_frequency, synthesize

    fs = config.sample_rate_hz
    freq = np.full(samples, float(frequency_hz))
    waves = synthesize(phase_from_frequency(freq, fs, start=0.13), freq, fs)
    x = np.stack([make_inputs(config, waves["core"], *CORNERS[w]) for w in TARGET_WAVES])
    y = np.stack([delayed(waves[w], config.lookahead) for w in TARGET_WAVES])[..., None]
    return x, y


#: Octaves across the synthetic range for the per-frequency report.
REPORT_FREQUENCIES_HZ = (27.5, 55.0, 110.0, 220.0, 440.0, 880.0, 1760.0, 3520.0)


def settle_samples(config: ModelConfig) -> int:
    """Samples a steady tone runs from reset before it is measured: the front end's pre-roll (it finds the
    core's swing within a cycle) and the receptive field."""
    from train.dataset import preroll_samples

    return preroll_samples(config) + config.receptive_field


def snr_by_frequency(config: ModelConfig, predict: Predict, frequencies=REPORT_FREQUENCIES_HZ) -> dict:
    """SNR (dB) of each corner wave for a steady synthetic tone at each frequency (two cycles, at least
    4096 samples, after the settling time)."""
    skip = settle_samples(config)
    out = {}
    for f in frequencies:
        x, y = _steady_tone(config, f, skip + max(4096, int(2 * config.sample_rate_hz / f)))
        y_hat = predict(x)
        out[f"{f:g}"] = {w: round(snr_db(y[i:i + 1], y_hat[i:i + 1], skip), 2) for i, w in enumerate(TARGET_WAVES)}
    return out


def harmonic_error(config: ModelConfig, predict: Predict, frequencies=HARMONIC_FREQUENCIES_HZ,
                   harmonics: int = 16, floor_db: float = -80.0) -> dict:
    """Per corner wave and steady tone: the first ``harmonics`` harmonic amplitudes (dB re 1.0, i.e. re
    the full +-5 V swing) of the target and of the output, and their difference ``error_db`` (output
    minus target; None where the target has no such harmonic, below ``floor_db``: e.g. the even
    harmonics of a square, where ``output_db`` says how much the output adds).

    The tone runs from reset for a warm-up (receptive field plus 4096 samples), then over a whole number
    of cycles (``fs / gcd(fs, f)`` samples, at least 16384), so every harmonic falls on an FFT bin; it is
    measured after the settling time (:func:`settle_samples`)."""
    fs = config.sample_rate_hz
    out = {w: {} for w in TARGET_WAVES}
    for f in frequencies:
        if int(f) != f:
            raise ValueError(f"harmonic_error needs integer frequencies (whole cycles in a window), got {f}")
        span = fs // gcd(fs, int(f))
        span *= -(-16384 // span)
        warm = settle_samples(config)
        x, y = _steady_tone(config, f, warm + span)
        y_hat = predict(x)
        cycles = int(f) * span // fs
        bins = cycles * np.arange(1, harmonics + 1)
        for i, wave in enumerate(TARGET_WAVES):
            spectra = [np.abs(np.fft.rfft(np.asarray(s, dtype=np.float64)[i, warm:, 0]))[bins] * 2 / span
                       for s in (y, y_hat)]
            target_db, output_db = (20 * np.log10(np.maximum(a, 1e-12)) for a in spectra)
            out[wave][f"{f:g}"] = {
                "target_db": [round(float(v), 2) for v in target_db],
                "output_db": [round(float(v), 2) for v in output_db],
                "error_db": [round(float(o - t), 2) if t > floor_db else None
                             for t, o in zip(target_db, output_db, strict=True)],
            }
    return out
