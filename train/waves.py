"""Band-limited oscillator waves by additive synthesis from one phase accumulator.

The hardware runs at ``config.sample_rate_hz`` (192 kHz) and learns to turn a *core* triangle into four
target waves. Naive (sample-the-ideal-shape) saws and squares alias: their harmonics above Nyquist fold
back as inharmonic tones the network would then be trained to reproduce (docs/prior-work.md, defect 7). So every
wave here is a sum of its harmonics, evaluated at the *instantaneous* phase of a frequency sweep, using
**every harmonic below Nyquist** and fading them out smoothly as they approach it (a raised-cosine taper
from ``TAPER_START`` x Nyquist up to Nyquist), so nothing aliases and a harmonic crossing Nyquist during a
sweep fades instead of clicking.

All waves are periodic in the phase ``p`` in [0, 1) and share it (phase-locked, as in one analog VCO):

=========  ======================================================  ============================================
wave       ideal shape over one cycle                              harmonic series (k = 1, 2, ...)
=========  ======================================================  ============================================
core       triangle: -1 at p=0, +1 at p=1/2, back to -1            odd k only, amplitude 8/(pi^2 k^2)
sine       -cos(2 pi p): shares the triangle's peaks               k = 1 only
ramp       rising saw 2p - 1, resets at the triangle's minimum     every k, amplitude 2/(pi k)
square     +1 while the triangle rises (p < 1/2), -1 while falls   odd k only, amplitude 4/(pi k)
zigzag     asymmetric triangle: -1 at p=0, rises for 3/4 of the    every k except multiples of 4, amplitude
           cycle to +1 at p=3/4, falls back in the last quarter    (32/3) |sin(3 pi k/4)| / (pi^2 k^2)
=========  ======================================================  ============================================

"zigzag" is our definition (the prototype's oscillator is undocumented): a skewed triangle, chosen because
its harmonic series (all harmonics but every fourth, falling as 1/k^2) differs from every other wave's.
Amplitude is +-1.0 in network units (5 V with the default ``volts_per_unit``); band-limited saws and
squares overshoot that slightly near their edges (Gibbs), as a real band-limited oscillator does.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TARGET_WAVES",
    "ALL_WAVES",
    "TAPER_START",
    "harmonic_coefficients",
    "nyquist_taper",
    "phase_from_frequency",
    "frequency_sweep",
    "synthesize",
]

TARGET_WAVES = ("sine", "ramp", "square", "zigzag")
ALL_WAVES = ("core", *TARGET_WAVES)

#: Harmonics are at full amplitude up to this fraction of Nyquist and fade to zero at Nyquist.
TAPER_START = 0.75

#: Harmonics per block of the synthesis (the block size trades numpy call overhead against memory).
_BLOCK = 64
#: Samples synthesized per chunk; the harmonic count of a chunk follows its lowest frequency.
_CHUNK = 1024


def _skewed_triangle(k: np.ndarray, rise: float) -> np.ndarray:
    """Complex amplitudes of a triangle that rises from -1 (p=0) to +1 (p=rise) and falls back.

    Its derivative is a two-level pulse wave whose Fourier integral is elementary; dividing by
    ``i 2 pi k`` integrates it back. One-sided form: ``wave(p) = sum_k Re(A_k exp(i 2 pi k p))``.
    """
    w = 2 * np.pi * k
    return -2 * (1 - np.exp(-1j * w * rise)) * 2 / (rise * (1 - rise) * w**2)


def harmonic_coefficients(wave: str, k: np.ndarray) -> np.ndarray:
    """Complex amplitudes ``A_k`` with ``wave(p) = sum_k Re(A_k exp(i 2 pi k p))`` (k >= 1)."""
    k = np.asarray(k, dtype=np.float64)
    if wave == "core":
        return _skewed_triangle(k, 0.5)
    if wave == "zigzag":
        return _skewed_triangle(k, 0.75)
    if wave == "sine":
        return np.where(k == 1, -1.0 + 0j, 0j)
    if wave == "ramp":
        return 2j / (np.pi * k)
    if wave == "square":
        odd = (k.astype(np.int64) % 2) == 1
        return np.where(odd, -4j / (np.pi * k), 0j)
    raise ValueError(f"unknown wave {wave!r}; known: {ALL_WAVES}")


def nyquist_taper(ratio: np.ndarray) -> np.ndarray:
    """Gain of a harmonic at ``ratio`` = its frequency / Nyquist: 1 up to TAPER_START, raised-cosine
    down to 0 at Nyquist, 0 above (those harmonics would alias)."""
    x = np.clip((np.asarray(ratio, dtype=np.float64) - TAPER_START) / (1 - TAPER_START), 0.0, 1.0)
    gain = np.sin((1.0 - x) * (np.pi / 2))
    gain *= gain  # sin^2(pi (1-x) / 2) = (1 + cos(pi x)) / 2: exactly 1 at x = 0, exactly 0 at Nyquist
    return gain


def phase_from_frequency(freq_hz: np.ndarray, sample_rate_hz: float, start: float = 0.0) -> np.ndarray:
    """The phase accumulator: phase[n] = start + sum_{m<n} f[m]/fs, wrapped to [0, 1)."""
    increments = np.asarray(freq_hz, dtype=np.float64) / sample_rate_hz
    phase = start + np.concatenate([[0.0], np.cumsum(increments[:-1])])
    return np.mod(phase, 1.0)


def frequency_sweep(rng: np.random.Generator, n: int, sample_rate_hz: float, fmin: float, fmax: float,
                    glide_seconds: tuple[float, float] = (0.03, 0.3)) -> np.ndarray:
    """Instantaneous frequency for ``n`` samples: a chain of exponential glides (linear in octaves, as
    a 1 V/oct CV would sweep) between random pitches drawn log-uniformly in [fmin, fmax], each glide
    lasting a random time in ``glide_seconds``. Slow glides approximate held notes, fast ones chirps."""
    lo, hi = np.log2(fmin), np.log2(fmax)
    out = np.empty(n)
    current = rng.uniform(lo, hi)
    pos = 0
    while pos < n:
        length = max(1, int(rng.uniform(*glide_seconds) * sample_rate_hz))
        target = rng.uniform(lo, hi)
        take = min(length, n - pos)
        out[pos:pos + take] = current + (target - current) * (np.arange(take) / length)
        current, pos = target, pos + take
    return 2.0 ** out


def _unit_phasors(cycles: np.ndarray) -> np.ndarray:
    """``exp(i 2 pi cycles)`` for ``cycles`` >= 0, as a cosine and a sine of the fractional part: the same
    values as the complex exponential (whose real part is exactly 0 here), in half the time."""
    angle = (cycles - np.floor(cycles)) * (2 * np.pi)
    out = np.empty(angle.shape, dtype=np.complex128)
    out.real = np.cos(angle)
    out.imag = np.sin(angle)
    return out


def synthesize(phase: np.ndarray, freq_hz: np.ndarray, sample_rate_hz: float,
               waves: tuple[str, ...] = ALL_WAVES) -> dict[str, np.ndarray]:
    """Every wave in ``waves`` at the given instantaneous phase and frequency, float64, band-limited.

    Harmonic k at sample n has gain ``nyquist_taper(k f[n] / (fs/2))``; a chunk of samples uses every
    harmonic below Nyquist at the chunk's lowest frequency. The phasors ``exp(i 2 pi k p)`` are built a
    block of harmonics at a time (one exp per sample and block, then complex products) and the waves
    are one real matrix product per block.
    """
    phase = np.asarray(phase, dtype=np.float64)
    freq_hz = np.asarray(freq_hz, dtype=np.float64)
    if phase.shape != freq_hz.shape or phase.ndim != 1:
        raise ValueError("phase and freq_hz must be 1-D arrays of the same length")
    if np.any(freq_hz <= 0):
        raise ValueError("frequencies must be positive")
    nyquist = sample_rate_hz / 2
    out = np.zeros((len(phase), len(waves)))
    for start in range(0, len(phase), _CHUNK):
        p = phase[start:start + _CHUNK]
        f = freq_hz[start:start + _CHUNK]
        n_harm = int(np.ceil(nyquist / f.min())) - 1  # every k with k * fmin < Nyquist
        flat_below = TAPER_START * nyquist / f.max()  # harmonics k <= this have gain 1 in the chunk
        ks = np.arange(1, _BLOCK + 1, dtype=np.float64)
        # complex128 phasors exp(i 2 pi k p) for k = 1..BLOCK; ``step`` advances k by BLOCK.
        phasor = _unit_phasors(np.outer(p, ks))
        step = _unit_phasors(p * _BLOCK)[:, None]
        acc = np.zeros((len(p), len(waves)))
        for k0 in range(1, n_harm + 1, _BLOCK):
            k = np.arange(k0, k0 + _BLOCK, dtype=np.float64)
            coeff = np.stack([harmonic_coefficients(w, k) for w in waves], axis=1)  # (BLOCK, n_waves)
            coeff[k > n_harm] = 0
            # Re(sum_k A_k z_k) as one real product: z viewed as interleaved (re, im) pairs.
            real_coeff = np.empty((2 * _BLOCK, len(waves)))
            real_coeff[0::2], real_coeff[1::2] = coeff.real, -coeff.imag
            basis = phasor
            # the taper only where it is not exactly 1 (k > flat_below) and the harmonic is used (k <= n_harm)
            tapered = slice(max(0, int(np.floor(flat_below)) + 1 - k0), max(0, n_harm + 1 - k0))
            if tapered.start < tapered.stop:
                basis = phasor.copy()
                basis[:, tapered] *= nyquist_taper(np.outer(f, k[tapered]) / nyquist)
            acc += basis.view(np.float64) @ real_coeff
            phasor *= step
        out[start:start + _CHUNK] = acc
    return {w: out[:, i] for i, w in enumerate(waves)}
