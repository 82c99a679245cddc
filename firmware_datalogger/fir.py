"""Anti-alias decimation FIR: coefficient design and the bit-exact integer reference of the gateware.

Dropping samples without a filter (what the prototype's 2x "decimation" did) folds everything above the
new Nyquist frequency back into the band, and square/ramp targets are rich in harmonics. The filter here
is a linear-phase Kaiser-window low-pass: passband to 0.4 x f_out, stopband from 0.5 x f_out with
``STOPBAND_DB`` attenuation, so nothing that aliases lands anywhere in the new band.

Arithmetic (shared exactly by the gateware):
- coefficients are signed ``COEF_BITS``-bit integers with ``COEF_FRAC`` fraction bits (one ECP5
  MULT18X18D per product), normalised so that they sum to exactly 2^COEF_FRAC (unity DC gain, so CV
  levels survive decimation bit-exactly);
- output j is computed when input sample n = (j+1) R - 1 arrives: acc = sum_k h[k] x[n-k], with x = 0
  before the first sample (after every reset, too: the gateware zeroes the taps older than that);
- y = saturate_int16((acc + 2^(COEF_FRAC-1)) >> COEF_FRAC), i.e. round half up, then clamp to int16.
"""

from __future__ import annotations

import numpy as np

from common.devices import MULTIPLIER_WIDTH

__all__ = ["COEF_BITS", "COEF_FRAC", "STOPBAND_DB", "design_coefficients", "decimate_reference",
           "frequency_response"]

#: One MULT18X18D operand per coefficient; all but the sign bit are fraction.
COEF_BITS = MULTIPLIER_WIDTH
COEF_FRAC = COEF_BITS - 1
STOPBAND_DB = 80.0


def design_coefficients(decimation: int, *, stopband_db: float = STOPBAND_DB, taps: int | None = None) -> list[int]:
    """Integer coefficients (Q1.17) of the anti-alias low-pass for decimation by ``decimation``."""
    from scipy import signal

    if decimation < 2:
        raise ValueError("decimation by 1 needs no filter")
    pass_edge, stop_edge = 0.4 / decimation, 0.5 / decimation  # in units of the input rate
    n, beta = signal.kaiserord(stopband_db, 2 * (stop_edge - pass_edge))
    if taps is None:
        taps = n | 1  # odd length: type I linear phase, integer group delay
    h = signal.firwin(taps, (pass_edge + stop_edge) / 2, window=("kaiser", beta), fs=1.0)
    q = np.round(h * (1 << COEF_FRAC)).astype(np.int64)
    q[taps // 2] += (1 << COEF_FRAC) - int(q.sum())  # exact unity DC gain
    lim = 1 << (COEF_BITS - 1)
    if q.max() >= lim or q.min() < -lim:
        raise ValueError("coefficient out of range")
    return [int(v) for v in q]


def decimate_reference(x: np.ndarray, coeffs: list[int], decimation: int) -> np.ndarray:
    """Bit-exact model of ``gateware.DecimatingFIR``: x (T, C) integers -> (T // R, C) int64."""
    x = np.asarray(x, dtype=np.int64)
    if x.ndim == 1:
        x = x[:, None]
    h = np.asarray(coeffs, dtype=np.int64)
    t = len(h)
    padded = np.concatenate([np.zeros((t - 1, x.shape[1]), np.int64), x])
    outputs = []
    for n in range(decimation - 1, len(x), decimation):
        window = padded[n : n + t][::-1]  # window[k] = x[n - k]
        acc = (h[:, None] * window).sum(axis=0)
        outputs.append(np.clip((acc + (1 << (COEF_FRAC - 1))) >> COEF_FRAC, -32768, 32767))
    return np.array(outputs, dtype=np.int64).reshape(-1, x.shape[1])


def frequency_response(coeffs: list[int], freqs: np.ndarray) -> np.ndarray:
    """|H(f)| of the integer filter at ``freqs`` (cycles per input sample)."""
    h = np.asarray(coeffs, dtype=np.float64) / (1 << COEF_FRAC)
    k = np.arange(len(h))
    return np.abs(np.exp(-2j * np.pi * np.outer(freqs, k)) @ h)
