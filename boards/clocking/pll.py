"""ECP5 PLL (EHXPLLL) divider search for the clocks of the design.

One PLL makes every domain, all from its one VCO:

* ``CLKOP`` -> ``sync``: the system clock of the codec driver's streams and the scaling (about 100 MHz).
  CLKOP is also the feedback path (``FEEDBK_PATH="CLKOP"``), so ``f_sync = f_in * CLKFB_DIV / CLKI_DIV``
  and the VCO runs at ``f_sync * CLKOP_DIV``.
* ``CLKOS`` -> ``audio``: 256 x fs for the codec (the AK4619's 192 kHz mode wants 49.152 MHz; the
  driver divides it by 2 for MCLK and by 256 for LRCK). ``f_audio = f_vco / CLKOS_DIV``.
* ``CLKOS2`` -> ``network`` (when a network clock is asked for): the clock the front end and the network
  run at, faster than ``sync`` so that each multiplier does more multiply-accumulates per sample.
  ``f_network = f_vco / CLKOS2_DIV``, the fastest such clock not above its target. Without it the
  network runs in ``sync``.

Limits (Lattice ECP5 sysCLOCK PLL, the same numbers prjtrellis' ``ecppll`` uses; ``docs/fpga-flow.md`` §3):
input 8-400 MHz, phase-detector input (``f_in / CLKI_DIV``) 3.125-400 MHz, VCO 400-800 MHz,
outputs 10-400 MHz, ``CLKI_DIV`` and the output dividers 1-128, ``CLKFB_DIV`` 1-80.

49.152 MHz is generally not reachable exactly from a 100 or 25 MHz crystal with integer dividers. The
search therefore picks, among all legal settings whose ``sync`` clock lies in
``[sync_min_ratio, 1] x sync target`` (never faster than asked, so timing targets stay honest), the one
whose ``audio`` clock is closest to its target; ties go to the faster ``network`` clock, then to the
faster ``sync`` clock, then to a VCO nearer 600 MHz. The sample rate that results must be within
:data:`MAX_SAMPLE_RATE_ERROR` of the requested one, or :class:`PllError` is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = [
    "AUDIO_CLOCKS_PER_SAMPLE",
    "Ehxplll",
    "MAX_SAMPLE_RATE_ERROR",
    "PllError",
    "PllLimits",
    "PllSettings",
    "ECP5_LIMITS",
    "search_pll",
]

#: The codec clock runs at 256 x fs (one 8-bit counter per frame; ``docs/eurorack-pmod.md`` §4).
AUDIO_CLOCKS_PER_SAMPLE = 256
#: Largest relative deviation of the achieved sample rate from the requested one.
MAX_SAMPLE_RATE_ERROR = 0.02


class PllError(ValueError):
    """No legal PLL setting meets the request; the message says which constraint failed."""


@dataclass(frozen=True)
class PllLimits:
    input_min_hz: float = 8e6
    input_max_hz: float = 400e6
    pfd_min_hz: float = 3.125e6
    pfd_max_hz: float = 400e6
    vco_min_hz: float = 400e6
    vco_max_hz: float = 800e6
    output_min_hz: float = 10e6
    output_max_hz: float = 400e6
    clki_div_max: int = 128
    clkfb_div_max: int = 80
    output_div_max: int = 128


ECP5_LIMITS = PllLimits()


@dataclass(frozen=True)
class Ehxplll:
    """One EHXPLLL whose CLKOP (``sync``) is also its feedback, and the exact frequencies it makes: the
    arithmetic, the limits check and the instance parameters every board's PLL shares.

    ``clkos_div``: CLKOS's divider for the ``audio`` domain, or None (the codec clock comes from outside the
    FPGA, :mod:`.external_audio`). ``clkos2_div``: CLKOS2's divider for the ``network`` domain, or None (the
    network runs in ``sync``)."""

    clock_in_hz: int
    clki_div: int
    clkfb_div: int
    clkop_div: int
    clkos_div: int | None = None
    clkos2_div: int | None = None

    @property
    def pfd_hz(self) -> Fraction:
        return Fraction(self.clock_in_hz, self.clki_div)

    @property
    def sync_hz(self) -> Fraction:
        return self.pfd_hz * self.clkfb_div

    @property
    def vco_hz(self) -> Fraction:
        return self.sync_hz * self.clkop_div

    @property
    def network_hz(self) -> Fraction:
        """The ``network`` domain's clock: CLKOS2, or ``sync`` when the PLL makes no network clock."""
        return self.sync_hz if self.clkos2_div is None else self.vco_hz / self.clkos2_div

    @property
    def clkop_cphase(self) -> int:
        # Lattice's tools shift the primary output by half a period (in VCO cycles); ecppll does too.
        return self.clkop_div // 2

    def instance_params(self) -> dict[str, object]:
        """``p_``-style parameters for ``Instance("EHXPLLL", ...)``; every secondary output in CLKOP's phase."""
        muxes = {"OUTDIVIDER_MUXB": "DIVB", "OUTDIVIDER_MUXC": "DIVC", "OUTDIVIDER_MUXD": "DIVD"}
        if self.clkos_div is None:
            muxes = {} if self.clkos2_div is None else {"OUTDIVIDER_MUXC": "DIVC"}
        params = {
            "PLLRST_ENA": "DISABLED", "INTFB_WAKE": "DISABLED", "STDBY_ENABLE": "DISABLED",
            "DPHASE_SOURCE": "DISABLED", "OUTDIVIDER_MUXA": "DIVA", **muxes,
            "CLKI_DIV": self.clki_div, "CLKFB_DIV": self.clkfb_div, "FEEDBK_PATH": "CLKOP",
            "CLKOP_ENABLE": "ENABLED", "CLKOP_DIV": self.clkop_div, "CLKOP_CPHASE": self.clkop_cphase,
            "CLKOP_FPHASE": 0,
        }
        for output, div in (("CLKOS", self.clkos_div), ("CLKOS2", self.clkos2_div)):
            if div is not None:
                params.update({f"{output}_ENABLE": "ENABLED", f"{output}_DIV": div,
                               f"{output}_CPHASE": self.clkop_cphase, f"{output}_FPHASE": 0})
        return params

    def _outputs(self) -> list[tuple[str, int | None, Fraction]]:
        """(name, divider, frequency) of each output the PLL drives."""
        outputs = [("CLKOP", self.clkop_div, self.sync_hz)]
        if self.clkos_div is not None:
            outputs.append(("CLKOS", self.clkos_div, self.vco_hz / self.clkos_div))
        return [*outputs, ("CLKOS2", self.clkos2_div, self.network_hz)]

    def check(self, limits: PllLimits = ECP5_LIMITS) -> None:
        """Raise :class:`PllError` naming the first violated limit."""
        lim = limits
        dividers = [("CLKI_DIV", self.clki_div, lim.clki_div_max), ("CLKFB_DIV", self.clkfb_div, lim.clkfb_div_max)]
        dividers += [(f"{name}_DIV", div or 1, lim.output_div_max) for name, div, _ in self._outputs()]
        for name, value, top in dividers:
            if not 1 <= value <= top:
                raise PllError(f"{name}={value} outside 1..{top}")
        frequencies = [("input", self.clock_in_hz, lim.input_min_hz, lim.input_max_hz),
                       ("PFD", self.pfd_hz, lim.pfd_min_hz, lim.pfd_max_hz),
                       ("VCO", self.vco_hz, lim.vco_min_hz, lim.vco_max_hz)]
        frequencies += [(name, hz, lim.output_min_hz, lim.output_max_hz) for name, _, hz in self._outputs()]
        for name, value, lo, hi in frequencies:
            if not lo <= value <= hi:
                raise PllError(f"{name} frequency {float(value) / 1e6:.4f} MHz outside "
                               f"{lo / 1e6:g}-{hi / 1e6:g} MHz")

    def summary(self) -> dict[str, object]:
        return {"clock_in_hz": self.clock_in_hz, "clki_div": self.clki_div, "clkfb_div": self.clkfb_div,
                "clkop_div": self.clkop_div, "clkos2_div": self.clkos2_div, "vco_hz": float(self.vco_hz),
                "sync_hz": float(self.sync_hz), "network_hz": float(self.network_hz)}


@dataclass(frozen=True)
class PllSettings(Ehxplll):
    """The one PLL of a board that makes every clock: ``audio`` (256 fs) on CLKOS."""

    clkos_div: int = 1

    @property
    def audio_hz(self) -> Fraction:
        return self.vco_hz / self.clkos_div

    @property
    def sample_rate_hz(self) -> Fraction:
        return self.audio_hz / AUDIO_CLOCKS_PER_SAMPLE

    def summary(self) -> dict[str, object]:
        return {
            "clock_in_hz": self.clock_in_hz,
            "clki_div": self.clki_div,
            "clkfb_div": self.clkfb_div,
            "clkop_div": self.clkop_div,
            "clkos_div": self.clkos_div,
            "clkos2_div": self.clkos2_div,
            "vco_hz": float(self.vco_hz),
            "sync_hz": float(self.sync_hz),
            "audio_hz": float(self.audio_hz),
            "network_hz": float(self.network_hz),
            "sample_rate_hz": float(self.sample_rate_hz),
        }


def network_output(vco: Fraction, sync: Fraction, target_hz: float | None,
                   lim: PllLimits) -> tuple[int | None, Fraction] | None:
    """CLKOS2's divider and the ``network`` clock for ``target_hz`` from ``vco``: ``(None, sync)`` without a
    target (the network runs in ``sync``), None when no legal divider reaches it."""
    if target_hz is None:
        return None, sync
    div = _network_div(vco, Fraction(target_hz), lim)
    return None if div is None else (div, vco / div)


def _network_div(vco: Fraction, target: Fraction, lim: PllLimits) -> int | None:
    """The CLKOS2 divider giving the fastest legal clock from ``vco`` not above ``target``."""
    div = max(1, -(-vco // target))  # ceil: vco / div <= target
    while div <= lim.output_div_max and vco / div > lim.output_max_hz:
        div += 1
    if div > lim.output_div_max or vco / div < lim.output_min_hz:
        return None
    return int(div)


def search_pll(clock_in_hz: int, sync_target_hz: float, sample_rate_hz: float, *,
               network_target_hz: float | None = None, sync_min_ratio: float = 0.9,
               max_error: float = MAX_SAMPLE_RATE_ERROR, limits: PllLimits = ECP5_LIMITS) -> PllSettings:
    """The best legal setting for ``sync`` <= ``sync_target_hz``, ``audio`` = 256 x ``sample_rate_hz`` and,
    when ``network_target_hz`` is given, a ``network`` clock (CLKOS2) as fast as possible up to it.

    Raises :class:`PllError` if the input clock is out of range, no setting puts ``sync`` in its window,
    or the best achievable sample rate is off by more than ``max_error`` (relative).
    """
    lim = limits
    if not lim.input_min_hz <= clock_in_hz <= lim.input_max_hz:
        raise PllError(f"input clock {clock_in_hz / 1e6:g} MHz outside the PLL's "
                       f"{lim.input_min_hz / 1e6:g}-{lim.input_max_hz / 1e6:g} MHz")
    for name, target in (("sync", sync_target_hz), ("network", network_target_hz)):
        if target is not None and not lim.output_min_hz <= target <= lim.output_max_hz:
            raise PllError(f"{name} clock target {target / 1e6:g} MHz outside the PLL outputs' "
                           f"{lim.output_min_hz / 1e6:g}-{lim.output_max_hz / 1e6:g} MHz")
    audio_target = Fraction(sample_rate_hz) * AUDIO_CLOCKS_PER_SAMPLE
    sync_target = Fraction(sync_target_hz)
    sync_min = sync_target * Fraction(str(sync_min_ratio))  # str: 0.9 exactly, not its binary float
    best: tuple | None = None
    sync_candidates = 0
    for clki_div in range(1, lim.clki_div_max + 1):
        pfd = Fraction(clock_in_hz, clki_div)
        if not lim.pfd_min_hz <= pfd <= lim.pfd_max_hz:
            continue
        for clkfb_div in range(1, lim.clkfb_div_max + 1):
            sync = pfd * clkfb_div
            if not sync_min <= sync <= sync_target:
                continue
            for clkop_div in range(1, lim.output_div_max + 1):
                vco = sync * clkop_div
                if vco > lim.vco_max_hz:
                    break
                if vco < lim.vco_min_hz:
                    continue
                sync_candidates += 1
                output = network_output(vco, sync, network_target_hz, lim)
                if output is None:
                    continue
                network_div, network = output
                ideal = vco / audio_target  # the CLKOS divider that would be exact
                for clkos_div in {max(1, int(ideal)), int(ideal) + 1}:
                    if clkos_div > lim.output_div_max:
                        continue
                    audio = vco / clkos_div
                    if not lim.output_min_hz <= audio <= lim.output_max_hz:
                        continue
                    key = (abs(audio - audio_target), -network, -sync, abs(vco - 600_000_000))
                    if best is None or key < best[0]:
                        best = (key, PllSettings(clock_in_hz, clki_div, clkfb_div, clkop_div, clkos_div,
                                                 network_div))
    if best is None and sync_candidates:
        raise PllError(f"no CLKOS divider gives an audio clock near {float(audio_target) / 1e6:.4f} MHz "
                       f"(256 x {sample_rate_hz:g} Hz) within the PLL outputs' "
                       f"{lim.output_min_hz / 1e6:g}-{lim.output_max_hz / 1e6:g} MHz")
    if best is None:
        raise PllError(f"no ECP5 PLL setting gives a sync clock between {float(sync_min) / 1e6:.3f} and "
                       f"{float(sync_target) / 1e6:.3f} MHz from {clock_in_hz / 1e6:g} MHz")
    settings = best[1]
    error = abs(settings.sample_rate_hz - Fraction(sample_rate_hz)) / Fraction(sample_rate_hz)
    if error > Fraction(str(max_error)):
        raise PllError(
            f"closest achievable sample rate is {float(settings.sample_rate_hz):.1f} Hz "
            f"(audio clock {float(settings.audio_hz) / 1e6:.4f} MHz from {clock_in_hz / 1e6:g} MHz), "
            f"{float(error) * 100:.2f} % away from the requested {sample_rate_hz:g} Hz; the limit is "
            f"{max_error * 100:g} %")
    settings.check(lim)
    return settings
