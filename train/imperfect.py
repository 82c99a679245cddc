"""Imperfect cores: what a real oscillator patched into the core jack looks like, for training and for the
imperfect test sets.

A real triangle core is not the ideal +-1 wave of ``train/waves.py``. A :class:`CoreProfile` gives the range
each imperfection is drawn from; each take draws, once:

* an amplitude (a fraction of full scale) and a DC offset;
* a rise/fall asymmetry: rise time / fall time (log-uniform);
* curved slopes, as an RC-charged or an exponential core has them: each half is a segment of
  ``1 - exp(-a u)`` (``u`` the time within the half) instead of a line, so the slope falls (``a > 0``, an RC
  charge) or grows (``a < 0``) across the half. ``curvature`` ``c`` sets ``a = ln((1 + c) / (1 - c))``: the
  slope runs from about ``1 + c`` to ``1 - c`` times its mean, i.e. ``c = 0.2`` is a slope varying by +-20 %
  within the half; the sign is drawn at random;
* rounded tips, as a slew-limited core has them: the turnaround takes a fixed time drawn per take (2 to
  20 us: 0.4 to 3.8 samples at 192 kHz). Within that time of each turning point the triangle becomes a
  parabola that meets both slopes in value and slope (zero-phase: the turning points stay where they are);
* a little white noise (up to 2**-12 RMS, about 1 LSB of FP4.12, far above what the codec adds);
* the pitch: the usual glides (``train.waves.frequency_sweep``) with a vibrato (3 to 8 Hz), or sudden pitch
  steps (``steps``), or audio-rate FM (``fm``: a sine modulator of 20 to 400 Hz moving the pitch by up to
  +-50 %), or one note held for the whole take (``held``: no test category uses it; ``bench.phase_inputs``
  does, to tell the two front-end phase estimates apart).

:data:`PROFILES` names the draws: ``imperfect`` is the general mix (every imperfection a little), and each
test category exercises one imperfection over its whole range, with the others at their ideal values.

The targets follow the core's *own* phase: the core's rising part maps to the target's first half cycle
and its falling part to the second, uniformly in time, so the square is high exactly while the core rises
and the ramp resets at the core's minimum, at full amplitude whatever the core's level or curvature. The
network has to track the patched oscillator's pitch, FM and shape; nothing in it oscillates by itself.

Asymmetric and curved waves have no closed-form band-limited series here, so every wave is drawn naively
at 8x the sample rate, low-passed by a windowed-sinc FIR (flat to 0.75 of the output Nyquist frequency, as
the ideal waves' harmonic taper, and stopping before Nyquist) and decimated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import firwin, oaconvolve

from train.waves import TARGET_WAVES, frequency_sweep

__all__ = ["OVERSAMPLING", "PROFILES", "CoreProfile", "curve", "imperfect_segment", "naive_wave", "rounded_core"]

#: Oversampling of the naive synthesis.
OVERSAMPLING = 8
#: Half-length of the anti-aliasing FIR in output samples.
_FIR_HALF = 32


@dataclass(frozen=True)
class CoreProfile:
    """The ranges one kind of imperfect take is drawn from (each uniform unless stated)."""

    #: Peak amplitude, as a fraction of full scale.
    amplitude: tuple[float, float] = (0.5, 1.0)
    offset: tuple[float, float] = (-0.1, 0.1)
    #: Rise time / fall time, log-uniform.
    ratio: tuple[float, float] = (0.8, 1.25)
    #: Slope variation within a half (module docstring), magnitude; the sign is drawn at random.
    curvature: tuple[float, float] = (0.0, 0.0)
    #: The turnaround time of the rounded tips, in seconds.
    turnaround_s: tuple[float, float] = (2e-6, 20e-6)
    noise_rms: tuple[float, float] = (0.0, 2.0**-12)
    #: ``glides`` (with a vibrato of up to ``vibrato`` depth), ``steps``, ``fm`` or ``held``.
    pitch: str = "glides"
    vibrato: tuple[float, float] = (0.0, 0.03)


_IDEAL = dict(amplitude=(1.0, 1.0), offset=(0.0, 0.0), ratio=(1.0, 1.0), turnaround_s=(2e-6, 2e-6),
              noise_rms=(0.0, 0.0), vibrato=(0.0, 0.0))

#: The named draws: the general mix and one test category per imperfection (``test_<name>`` sets).
PROFILES = {
    "imperfect": CoreProfile(curvature=(0.0, 0.1)),
    "curved": CoreProfile(**{**_IDEAL, "curvature": (0.05, 0.2)}),
    "small": CoreProfile(**{**_IDEAL, "amplitude": (0.25, 0.5)}),
    "asymmetric": CoreProfile(**{**_IDEAL, "ratio": (0.5, 2.0)}),
    "pitch_steps": CoreProfile(**{**_IDEAL, "pitch": "steps"}),
    "fm": CoreProfile(**{**_IDEAL, "pitch": "fm"}),
}


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


def curve(q: np.ndarray, curvature: float) -> np.ndarray:
    """The phase ``q`` warped so that the triangle drawn at it has curved halves (module docstring): within
    each half, time ``u`` in [0, 1) becomes ``(1 - exp(-a u)) / (1 - exp(-a))``. Turning points stay put."""
    if curvature == 0:
        return q
    a = np.log((1 + curvature) / (1 - curvature))
    half = np.floor(2 * q)
    u = 2 * q - half
    return 0.5 * (half + np.expm1(-a * u) / np.expm1(-a))


def _lowpass() -> np.ndarray:
    # cutoff 0.875 of the output Nyquist, Kaiser beta 10: passes 0.75, stops before 1
    return firwin(2 * OVERSAMPLING * _FIR_HALF + 1, 0.875 / OVERSAMPLING, window=("kaiser", 10.0))


def _pitch(rng: np.random.Generator, profile: CoreProfile, n: int, fs: float, fmin_hz: float,
           fmax_hz: float) -> tuple[np.ndarray, float]:
    """The instantaneous frequency of ``n`` samples at ``fs``, and the modulation depth drawn."""
    t = np.arange(n) / fs
    if profile.pitch == "steps":
        # a held note that jumps to another every 10 to 100 ms
        lo, hi = np.log2(fmin_hz), np.log2(fmax_hz)
        out, pos = np.empty(n), 0
        while pos < n:
            length = max(1, int(rng.uniform(0.01, 0.1) * fs))
            out[pos:pos + length] = 2.0 ** rng.uniform(lo, hi)
            pos += length
        return out, 0.0
    if profile.pitch == "held":
        return np.full(n, 2.0 ** rng.uniform(np.log2(fmin_hz), np.log2(fmax_hz))), 0.0
    if profile.pitch == "fm":
        # audio-rate FM on a held note: the pitch stays within [fmin, fmax]
        depth = rng.uniform(0.1, 0.5)
        lo, hi = np.log2(fmin_hz / (1 - depth)), np.log2(fmax_hz / (1 + depth))
        carrier = 2.0 ** rng.uniform(lo, max(lo, hi))
        modulator = rng.uniform(20.0, 400.0)
        return carrier * (1 + depth * np.sin(2 * np.pi * modulator * t + rng.uniform(0, 2 * np.pi))), depth
    if profile.pitch != "glides":
        raise ValueError(f"unknown pitch kind {profile.pitch!r}")
    base = frequency_sweep(rng, n, fs, fmin_hz, fmax_hz)
    rate, depth = rng.uniform(3.0, 8.0), rng.uniform(*profile.vibrato)
    return base * (1 + depth * np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi))), depth


def imperfect_segment(rng: np.random.Generator, samples: int, sample_rate_hz: int, fmin_hz: float,
                      fmax_hz: float, profile: CoreProfile = PROFILES["imperfect"]) -> dict[str, np.ndarray]:
    """One take drawn from ``profile``: ``core`` (the imperfect core, network units), the four targets,
    ``freq`` (Hz per sample), ``phase`` (the core's own phase in [0, 1), rising below 0.5: what the targets
    follow) and ``params`` (amplitude, offset, rise/fall ratio, turnaround time in s, modulation depth,
    signed curvature)."""
    lp = _lowpass()
    pad = len(lp)
    n_os = samples * OVERSAMPLING + 2 * pad
    fs_os = sample_rate_hz * OVERSAMPLING
    # the pitch is drawn at the output rate and held over each group of oversampled samples
    freq, depth = _pitch(rng, profile, n_os // OVERSAMPLING + 1, sample_rate_hz, fmin_hz, fmax_hz)
    freq = np.repeat(freq, OVERSAMPLING)[:n_os]
    p = np.mod(rng.uniform() + np.concatenate([[0.0], np.cumsum(freq[:-1] / fs_os)]), 1.0)
    ratio = float(np.exp(rng.uniform(*np.log(profile.ratio))))
    rise = ratio / (1 + ratio)  # fraction of the cycle the core spends rising
    q = np.where(p < rise, 0.5 * p / rise, 0.5 + 0.5 * (p - rise) / (1 - rise))
    curvature = rng.uniform(*profile.curvature) * rng.choice((-1.0, 1.0))
    keep = slice(pad, pad + samples * OVERSAMPLING, OVERSAMPLING)
    out = {w: oaconvolve(naive_wave(w, q), lp, mode="same")[keep] for w in TARGET_WAVES}
    turnaround = rng.uniform(*profile.turnaround_s)
    out["core"] = oaconvolve(rounded_core(curve(q, curvature), turnaround * freq), lp, mode="same")[keep]
    amplitude, offset = rng.uniform(*profile.amplitude), rng.uniform(*profile.offset)
    noise = rng.normal(0.0, rng.uniform(*profile.noise_rms), samples)
    out["core"] = amplitude * out["core"] + offset + noise
    out["freq"] = freq[keep]
    out["phase"] = q[keep]
    out["params"] = np.array([amplitude, offset, ratio, turnaround, depth, curvature])
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
