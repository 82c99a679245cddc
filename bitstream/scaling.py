"""Constants and Python reference of the two sample-scale conversions at the board edge.

The codec driver delivers and accepts **calibrated** int16 samples at ``COUNTS_PER_VOLT`` = 4000 counts
per volt (:mod:`boards.eurorack_pmod.samples`). The network works in ``config.data_format`` codes where the
real value 1.0 is ``config.volts_per_unit`` volts (5 V: eurorack audio is +-5 V and a 0..5 V CV maps to
0..1), i.e. ``data_format.scale`` = 4096 codes for FP4.12. So, with the default config:

* into the network:  ``code = counts * 4096 / 20000 = counts * 128 / 625 = counts * 0.2048``
* out of the network: ``counts = code * 20000 / 4096 = code * 625 / 128 = code * 4.8828125``

Each direction is **one constant multiply, a round-half-up shift and a saturation** (never a wrap):

    y = clamp((x * multiplier + 2**(shift-1)) >> shift, lo, hi)        (>> arithmetic, i.e. floor)

The multiplier is the ratio scaled by ``2**shift`` and rounded, with the largest ``shift`` whose
multiplier still fits one signed 18-bit DSP operand (``common.devices.MULTIPLIER_WIDTH``); when the ratio
is exactly ``k / 2**s`` (625/128 on the way out) the exact, smallest such pair is used. Defaults:

* in:  multiplier 107374, shift 19 (0.20479965 vs 0.2048: -1.7 ppm), result clamped to the data format
  (the full codec range +-8.19 V only reaches +-1.64 units, so this clamp never fires in practice);
* out: multiplier 625, shift 7 (exact), result clamped to int16: network values beyond +-6.71 units
  (+-33.5 V) saturate at the DAC's full scale instead of wrapping around.

Rounding half-up matches the network's requantization (docs/arithmetic.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from boards.eurorack_pmod.samples import CODEC_MAX, CODEC_MIN, COUNTS_PER_VOLT
from common.config import ModelConfig
from common.devices import MULTIPLIER_WIDTH

__all__ = [
    "ScaleConstant",
    "input_scale",
    "output_scale",
    "saturate_shifted",
]


@dataclass(frozen=True)
class ScaleConstant:
    """``y = clamp((x * multiplier + round) >> shift, out_min, out_max)`` with ``round = 2**(shift-1)``."""

    multiplier: int
    shift: int
    out_min: int
    out_max: int
    #: The exact ratio the constant approximates (for reports and tests).
    ratio: Fraction

    @property
    def rounding(self) -> int:
        return (1 << (self.shift - 1)) if self.shift > 0 else 0

    @property
    def relative_error(self) -> float:
        return float(Fraction(self.multiplier, 1 << self.shift) / self.ratio - 1)

    def apply(self, x: np.ndarray | int) -> np.ndarray:
        """The Python reference (int64 numpy); the hardware must equal it bit for bit."""
        x = np.asarray(x, dtype=np.int64)
        return np.clip((x * self.multiplier + self.rounding) >> self.shift, self.out_min, self.out_max)

    def describe(self) -> str:
        return (f"x * {self.multiplier} / 2^{self.shift} (ratio {self.ratio} = {float(self.ratio):.8g}, "
                f"error {self.relative_error * 1e6:+.2f} ppm), round half up, clamp [{self.out_min}, "
                f"{self.out_max}]")


def _constant_for(ratio: Fraction, out_min: int, out_max: int, width: int = MULTIPLIER_WIDTH) -> ScaleConstant:
    if ratio <= 0:
        raise ValueError(f"scale ratio must be positive, got {ratio}")
    limit = (1 << (width - 1)) - 1
    best = None
    for shift in range(0, 48):
        multiplier = ratio * (1 << shift)
        if multiplier.denominator == 1 and multiplier <= limit:
            return ScaleConstant(int(multiplier), shift, out_min, out_max, ratio)  # exact
        rounded = round(multiplier)
        if rounded > limit:
            break
        best = (rounded, shift)
    if best is None or best[0] == 0:
        raise ValueError(f"ratio {ratio} cannot be represented in a {width}-bit signed multiplier")
    return ScaleConstant(best[0], best[1], out_min, out_max, ratio)


def _counts_per_unit(config: ModelConfig) -> Fraction:
    return Fraction(COUNTS_PER_VOLT) * Fraction(str(config.volts_per_unit))


def input_scale(config: ModelConfig) -> ScaleConstant:
    """Calibrated codec counts -> network ``data_format`` codes."""
    fmt = config.data_format
    return _constant_for(Fraction(fmt.scale) / _counts_per_unit(config), fmt.min_int, fmt.max_int)


def output_scale(config: ModelConfig) -> ScaleConstant:
    """Network ``data_format`` codes -> calibrated codec counts (int16)."""
    return _constant_for(_counts_per_unit(config) / config.data_format.scale, CODEC_MIN, CODEC_MAX)


def saturate_shifted(m, target, product, k: ScaleConstant) -> None:
    """Gateware for the second half of :meth:`ScaleConstant.apply`: ``target`` (sync) gets
    ``product >> k.shift`` clamped to ``[k.out_min, k.out_max]``; saturate, never wrap."""
    shifted = product >> k.shift
    with m.If(shifted > k.out_max):
        m.d.sync += target.eq(k.out_max)
    with m.Elif(shifted < k.out_min):
        m.d.sync += target.eq(k.out_min)
    with m.Else():
        m.d.sync += target.eq(shifted)
