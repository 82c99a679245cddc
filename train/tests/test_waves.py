"""The synthetic oscillator: right shapes, every harmonic below Nyquist and nothing above it."""

from __future__ import annotations

import numpy as np
import pytest

from train.waves import (
    ALL_WAVES,
    TAPER_START,
    frequency_sweep,
    harmonic_coefficients,
    nyquist_taper,
    phase_from_frequency,
    synthesize,
)

FS = 192_000


def ideal_shape(wave: str, p: np.ndarray) -> np.ndarray:
    """The documented ideal (not band-limited) shapes, written independently of train.waves. Samples
    exactly on a jump take the mid value, as a Fourier series does."""
    if wave == "core":
        return np.where(p < 0.5, -1 + 4 * p, 3 - 4 * p)
    if wave == "sine":
        return -np.cos(2 * np.pi * p)
    if wave == "ramp":
        return np.where(p == 0, 0.0, 2 * p - 1)
    if wave == "square":
        return np.where((p == 0) | (p == 0.5), 0.0, np.where(p < 0.5, 1.0, -1.0))
    if wave == "zigzag":
        return np.where(p < 0.75, -1 + p * 8 / 3, 1 - (p - 0.75) * 8)
    raise ValueError(wave)


@pytest.mark.parametrize("wave", ALL_WAVES)
def test_coefficients_match_ideal_shape(wave):
    """A_k against the Fourier series of the ideal shape, computed by a fine DFT."""
    m = 1 << 16
    p = np.arange(m) / m
    dft = np.fft.rfft(ideal_shape(wave, p)) / m
    k = np.arange(1, 65)
    np.testing.assert_allclose(harmonic_coefficients(wave, k), 2 * dft[k], atol=2e-4)


def test_zigzag_series_is_distinct():
    k = np.arange(1, 17)
    mags = {w: np.abs(harmonic_coefficients(w, k)) > 1e-12 for w in ALL_WAVES}
    present = {w: tuple(k[m]) for w, m in mags.items()}
    others = {w: v for w, v in present.items() if w != "zigzag"}
    assert present["zigzag"] not in others.values()  # its own set of harmonics, unlike every other wave
    assert present["zigzag"] == tuple(x for x in k if x % 4 != 0)


@pytest.mark.parametrize("wave", ALL_WAVES)
def test_fixed_frequency_spectrum_has_no_aliases(wave):
    """370 Hz over 0.1 s: exactly 37 cycles, so every harmonic falls on a bin 37*k. A harmonic above
    Nyquist would fold to 192000*j - 370*k Hz, i.e. a bin that is not a multiple of 37 (19200 is not)."""
    n, f = 19_200, 370.0
    freq = np.full(n, f)
    y = synthesize(phase_from_frequency(freq, FS), freq, FS, (wave,))[wave]
    power = np.abs(np.fft.rfft(y)) ** 2
    bins = np.arange(len(power))
    harmonic = (bins % 37 == 0)
    assert power[~harmonic].sum() < 1e-18 * power.sum()
    amplitude = 2 * np.abs(np.fft.rfft(y)) / n
    k = bins[harmonic][1:] // 37  # k = 1, 2, ... up to Nyquist (259 * 370 = 95830 Hz)
    ideal = np.abs(harmonic_coefficients(wave, k))
    full = k * f <= TAPER_START * FS / 2
    np.testing.assert_allclose(amplitude[bins[harmonic][1:]][full], ideal[full], atol=1e-9)
    # Every harmonic below Nyquist is used: one just below the taper is still at full level ...
    if wave in ("ramp", "zigzag"):
        top = int(TAPER_START * FS / 2 // f)
        assert amplitude[37 * top] == pytest.approx(ideal[top - 1], rel=1e-6)
    # ... and the last one, a hair below Nyquist, has been faded almost to nothing.
    assert amplitude[37 * 259] <= 0.01 * ideal[-1] + 1e-12


def test_taper_shape():
    r = np.linspace(0, 1.5, 1501)
    g = nyquist_taper(r)
    assert np.all(g[r <= TAPER_START] == 1.0)
    assert np.all(g[r >= 1.0] == 0.0)
    assert np.all(np.diff(g) <= 0)
    assert nyquist_taper(np.array([(1 + TAPER_START) / 2]))[0] == pytest.approx(0.5)


def test_sweep_matches_brute_force_oracle():
    """The chunked, block-recurrent synthesis equals a plain per-sample sum over every harmonic below
    Nyquist, during a fast sweep that crosses chunk boundaries."""
    rng = np.random.default_rng(5)
    n = 2500
    freq = frequency_sweep(rng, n, FS, 2000.0, 12000.0, glide_seconds=(0.002, 0.004))
    phase = phase_from_frequency(freq, FS, start=0.3)
    got = synthesize(phase, freq, FS)
    k = np.arange(1, int(FS / 2 / freq.min()) + 2)
    for wave in ALL_WAVES:
        a = harmonic_coefficients(wave, k)
        gain = nyquist_taper(np.outer(freq, k) / (FS / 2))
        expected = np.real((a * gain * np.exp(2j * np.pi * np.outer(phase, k))).sum(axis=1))
        np.testing.assert_allclose(got[wave], expected, atol=1e-9)


def test_band_limited_low_frequency_approaches_ideal_shape():
    """At 50 Hz (1919 harmonics) the sum is the ideal shape except right at the jumps."""
    n = 3840
    freq = np.full(n, 50.0)
    phase = phase_from_frequency(freq, FS)
    waves = synthesize(phase, freq, FS)
    away = (np.abs(phase - 0.5) > 0.01) & (phase > 0.01) & (phase < 0.99)
    for wave, y in waves.items():
        assert np.max(np.abs(y - ideal_shape(wave, phase))[away]) < 0.01, wave


def test_phase_accumulator_and_sweep_range():
    rng = np.random.default_rng(0)
    freq = frequency_sweep(rng, 50_000, FS, 27.5, 4186.0)
    assert freq.min() >= 27.5 and freq.max() <= 4186.0
    phase = phase_from_frequency(freq, FS)
    assert phase[0] == 0 and np.all((phase >= 0) & (phase < 1))
    steps = np.mod(np.diff(phase), 1.0)
    np.testing.assert_allclose(steps, freq[:-1] / FS, atol=1e-9)
