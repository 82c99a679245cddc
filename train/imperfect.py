"""Imperfect cores: what a real oscillator patched into the core jack looks like, for a second test set.

A real triangle core is not the ideal +-1 wave of ``train/waves.py``. Each imperfect segment draws, once:

* an amplitude of 0.5 to 1.0 of full scale and a DC offset of -0.1 to +0.1;
* a rise/fall asymmetry: rise time / fall time from 0.8 to 1.25 (log-uniform);
* rounded tips, as a slew-limited core has them: the turnaround takes a fixed time, 2 to 20 us drawn
  per segment (0.4 to 3.8 samples at 192 kHz; a few per cent of a cycle at the top of the range, next to
  nothing at the bottom). Within that time of each turning point the triangle becomes a parabola that
  meets both slopes in value and slope (zero-phase: the turning points stay where they are);
* a little white noise, up to 2**-12 RMS (about 1 LSB of FP4.12, far above what the codec adds);
* a vibrato (FM) of 3 to 8 Hz and up to 3 % depth on top of the usual pitch glides
  (``train.waves.frequency_sweep``).

The targets follow the core's *own* phase: the core's rising part maps to the target's first half cycle
and its falling part to the second, so the square is high exactly while the core rises and the ramp resets
at the core's minimum, at full amplitude whatever the core's level. The network has to track the patched
oscillator's pitch, FM and shape; nothing in it oscillates by itself.

Asymmetric waves have no closed-form band-limited series here, so every wave is drawn naively at 8x the
sample rate, low-passed by a windowed-sinc FIR (flat to 0.75 of the output Nyquist frequency, as the
ideal waves' harmonic taper, and stopping before Nyquist) and decimated.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import firwin, oaconvolve

from train.waves import TARGET_WAVES, frequency_sweep

__all__ = ["OVERSAMPLING", "imperfect_segment", "naive_wave", "rounded_core"]

#: Oversampling of the naive synthesis.
OVERSAMPLING = 8
#: Half-length of the anti-aliasing FIR in output samples.
_FIR_HALF = 32


def naive_wave(wave: str, q: np.ndarray) -> np.ndarray:
    """The ideal (aliasing) shape of ``wave`` at phase ``q`` in [0, 1), as in ``train/waves.py``."""
    if wave == "core":
        return np.where(q < 0.5, -1 + 4 * q, 3 - 4 * q)
    if wave == "sine":
        return -np.cos(2 * np.pi * q)
    if wave == "ramp":
        return 2 * q - 1
    if wave == "square":
        return np.where(q < 0.5, 1.0, -1.0)
    if wave == "zigzag":
        return np.where(q < 0.75, -1 + 2 * q / 0.75, 1 - 2 * (q - 0.75) / 0.25)
    raise ValueError(f"unknown wave {wave!r}")


def _lowpass() -> np.ndarray:
    # cutoff 0.875 of the output Nyquist, Kaiser beta 10: passes 0.75, stops before 1
    return firwin(2 * OVERSAMPLING * _FIR_HALF + 1, 0.875 / OVERSAMPLING, window=("kaiser", 10.0))


def imperfect_segment(rng: np.random.Generator, samples: int, sample_rate_hz: int, fmin_hz: float,
                      fmax_hz: float) -> dict[str, np.ndarray]:
    """One take: ``core`` (the imperfect core, network units), the four targets, ``freq`` (Hz per sample)
    and ``params`` (amplitude, offset, rise/fall ratio, turnaround time in s, vibrato depth)."""
    lp = _lowpass()
    pad = len(lp)
    n_os = samples * OVERSAMPLING + 2 * pad
    fs_os = sample_rate_hz * OVERSAMPLING
    base = np.repeat(frequency_sweep(rng, n_os // OVERSAMPLING + 1, sample_rate_hz, fmin_hz, fmax_hz),
                     OVERSAMPLING)[:n_os]
    t = np.arange(n_os) / fs_os
    vib_rate, vib_depth = rng.uniform(3.0, 8.0), rng.uniform(0.0, 0.03)
    freq = base * (1 + vib_depth * np.sin(2 * np.pi * vib_rate * t + rng.uniform(0, 2 * np.pi)))
    p = np.mod(rng.uniform() + np.concatenate([[0.0], np.cumsum(freq[:-1] / fs_os)]), 1.0)
    ratio = float(np.exp(rng.uniform(np.log(0.8), np.log(1.25))))
    rise = ratio / (1 + ratio)  # fraction of the cycle the core spends rising
    q = np.where(p < rise, 0.5 * p / rise, 0.5 + 0.5 * (p - rise) / (1 - rise))
    keep = slice(pad, pad + samples * OVERSAMPLING, OVERSAMPLING)
    out = {w: oaconvolve(naive_wave(w, q), lp, mode="same")[keep] for w in TARGET_WAVES}
    turnaround = rng.uniform(2e-6, 20e-6)
    out["core"] = oaconvolve(rounded_core(q, turnaround * freq), lp, mode="same")[keep]
    amplitude, offset = rng.uniform(0.5, 1.0), rng.uniform(-0.1, 0.1)
    noise = rng.normal(0.0, rng.uniform(0.0, 2.0**-12), samples)
    out["core"] = amplitude * out["core"] + offset + noise
    out["freq"] = freq[keep]
    out["params"] = np.array([amplitude, offset, ratio, turnaround, vib_depth])
    return out


def rounded_core(q: np.ndarray, tip) -> np.ndarray:
    """The core triangle at phase ``q`` with its tips rounded over +-``tip`` of a cycle (a scalar, or one
    per sample): there a parabola ``1 - 2 tip - 2 d**2 / tip`` (``d`` the phase distance to the tip) joins
    both slopes smoothly."""
    to_max = np.abs(q - 0.5)
    to_min = np.minimum(q, 1 - q)
    d = np.minimum(to_max, to_min)
    sign = np.where(to_max < to_min, 1.0, -1.0)
    return np.where(d < tip, sign * (1 - 2 * tip - 2 * d * d / tip), naive_wave("core", q))
