"""The frequency an SI5351 clock generator really puts out when Tiliqua's bootloader asks it for one.

Tiliqua R4/R5 make the codec clock with an SI5351A (25 MHz crystal) whose output 0 feeds the FPGA; the
bootloader programs it from the ``external_pll_config.clk0_hz`` of the bitstream's manifest before it
starts the bitstream (``docs/tiliqua.md`` §4). Its driver, as published, sets output 0 like this:

1. total divider ``D = floor(900 MHz / f)``; output divider ``R`` = the smallest power of two (1..128) with
   ``R >= floor(D / 900)``; integer multisynth divider ``M = max(6, 2 * floor(D / (2 R)))`` (even);
2. PLL A target ``f * M * R``; its feedback ``a + b / c`` with ``c = 1048575`` (2^20 - 1),
   ``a = floor(target / f_xtal)`` and ``b = floor((target mod f_xtal) * c / f_xtal)``;
3. output ``f_xtal * (a + b / c) / (M * R)``.

So the output is a hair below the request (the fraction is truncated): for 49.152 MHz it is M = 18,
R = 1, PLL 884.736 MHz -> a = 35, b = 408357, output 49 151 999.94 Hz (-1.3 ppb), plus the crystal's own
tolerance. This module repeats that arithmetic exactly (integers and fractions), so the sample rate the
network is planned for is the one the codec will run at. Spread spectrum is left off (no
``spread_spectrum`` in the manifest): it would frequency-modulate PLL A, and with it the sample clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["SI5351_XTAL_HZ", "Si5351Output", "si5351_output"]

#: Tiliqua's SI5351A crystal.
SI5351_XTAL_HZ = 25_000_000
_PLL_MAX_HZ = 900_000_000
_FRACTION_DENOMINATOR = 1_048_575
_R_DIVIDERS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class Si5351Output:
    requested_hz: int
    multisynth_divider: int     #: M, integer, even
    r_divider: int              #: R, a power of two
    pll_int: int                #: a
    pll_num: int                #: b
    pll_den: int                #: c
    xtal_hz: int

    @property
    def pll_hz(self) -> Fraction:
        return self.xtal_hz * (self.pll_int + Fraction(self.pll_num, self.pll_den))

    @property
    def output_hz(self) -> Fraction:
        return self.pll_hz / (self.multisynth_divider * self.r_divider)


def si5351_output(requested_hz: int, xtal_hz: int = SI5351_XTAL_HZ) -> Si5351Output:
    """The setting (and so the exact frequency) for output 0 at ``requested_hz``; ``ValueError`` when the
    driver would refuse the request (multisynth divider above 1800 or R above 128)."""
    if not 0 < requested_hz <= _PLL_MAX_HZ // 6:
        raise ValueError(f"SI5351 output {requested_hz} Hz outside 1 Hz..{_PLL_MAX_HZ // 6} Hz")
    total = _PLL_MAX_HZ // requested_hz
    wanted_r = total // 900
    r_divider = next((r for r in _R_DIVIDERS if r >= wanted_r), None)
    if r_divider is None:
        raise ValueError(f"SI5351 output {requested_hz} Hz needs an output divider above 128")
    multisynth = max(6, total // (2 * r_divider) * 2)
    if multisynth > 1800:
        raise ValueError(f"SI5351 output {requested_hz} Hz needs a multisynth divider of {multisynth} (> 1800)")
    pll_target = requested_hz * multisynth * r_divider
    pll_int = pll_target // xtal_hz
    pll_num = (pll_target % xtal_hz) * _FRACTION_DENOMINATOR // xtal_hz
    return Si5351Output(requested_hz, multisynth, r_divider, pll_int, pll_num, _FRACTION_DENOMINATOR, xtal_hz)
