"""Clock plan for boards whose codec clock comes from outside the FPGA (Tiliqua R4/R5).

Such a board has two independent clocks:

* ``sync`` from one ECP5 EHXPLLL on the board oscillator, ``CLKOP`` (which is also the feedback path, as in
  :mod:`.pll`): ``f_sync = f_in * CLKFB_DIV / CLKI_DIV``, VCO = ``f_sync * CLKOP_DIV``. Optionally the
  network's own faster clock from the same VCO on ``CLKOS2`` (``f_network = VCO / CLKOS2_DIV``, the same
  output :mod:`.pll` uses for it). :func:`search_sync_pll` picks the fastest legal ``sync`` at or below the
  target (never faster than asked, so the timing target stays honest), then the fastest network clock at
  or below its target, ties to a VCO nearer 600 MHz.
* ``audio`` (the codec, 256 fs) straight from an external clock generator on a clock-capable ball. Its
  frequency is whatever that generator really makes (Tiliqua: :mod:`.si5351`), not a nominal value, so the
  network is planned against the sample rate the codec will really run at.

:class:`ExternalAudioClockPlan` is what :class:`~boards.registry.BoardSpec` carries as ``pll`` for such a
board (the same ``clock_in_hz`` / ``sync_hz`` / ``audio_hz`` / ``summary()`` as
:class:`~.pll.PllSettings`). The component is :class:`~.external_clock_generator.ExternalAudioClockGenerator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .pll import AUDIO_CLOCKS_PER_SAMPLE, ECP5_LIMITS, PllError, PllLimits, network_output

__all__ = ["ExternalAudioClockPlan", "SyncPll", "search_sync_pll"]


@dataclass(frozen=True)
class SyncPll:
    """An EHXPLLL whose CLKOP (``sync``) is also its feedback; ``clkos2_div``: CLKOS2's divider for the
    ``network`` domain, or None (the network runs in ``sync``)."""

    clock_in_hz: int
    clki_div: int
    clkfb_div: int
    clkop_div: int
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
        """The ``network`` domain's clock: CLKOS2, or ``sync`` without one."""
        return self.vco_hz / self.clkos2_div if self.clkos2_div else self.sync_hz

    def instance_params(self) -> dict[str, object]:
        """``p_``-style parameters for ``Instance("EHXPLLL", ...)``; CLKOP's phase as Lattice's tools set it."""
        params = {
            "PLLRST_ENA": "DISABLED", "INTFB_WAKE": "DISABLED", "STDBY_ENABLE": "DISABLED",
            "DPHASE_SOURCE": "DISABLED", "OUTDIVIDER_MUXA": "DIVA", "FEEDBK_PATH": "CLKOP",
            "CLKI_DIV": self.clki_div, "CLKFB_DIV": self.clkfb_div,
            "CLKOP_ENABLE": "ENABLED", "CLKOP_DIV": self.clkop_div, "CLKOP_CPHASE": self.clkop_div // 2,
            "CLKOP_FPHASE": 0,
        }
        if self.clkos2_div:
            params.update({"OUTDIVIDER_MUXC": "DIVC", "CLKOS2_ENABLE": "ENABLED", "CLKOS2_DIV": self.clkos2_div,
                           "CLKOS2_CPHASE": self.clkop_div // 2, "CLKOS2_FPHASE": 0})
        return params

    def check(self, limits: PllLimits = ECP5_LIMITS) -> None:
        """Raise :class:`~.pll.PllError` naming the first violated limit."""
        lim = limits
        for name, value, top in (("CLKI_DIV", self.clki_div, lim.clki_div_max),
                                 ("CLKFB_DIV", self.clkfb_div, lim.clkfb_div_max),
                                 ("CLKOP_DIV", self.clkop_div, lim.output_div_max),
                                 ("CLKOS2_DIV", self.clkos2_div or 1, lim.output_div_max)):
            if not 1 <= value <= top:
                raise PllError(f"{name}={value} outside 1..{top}")
        for name, value, lo, hi in (("input", self.clock_in_hz, lim.input_min_hz, lim.input_max_hz),
                                    ("PFD", self.pfd_hz, lim.pfd_min_hz, lim.pfd_max_hz),
                                    ("VCO", self.vco_hz, lim.vco_min_hz, lim.vco_max_hz),
                                    ("CLKOP", self.sync_hz, lim.output_min_hz, lim.output_max_hz),
                                    ("CLKOS2", self.network_hz, lim.output_min_hz, lim.output_max_hz)):
            if not lo <= value <= hi:
                raise PllError(f"{name} frequency {float(value) / 1e6:.4f} MHz outside "
                               f"{lo / 1e6:g}-{hi / 1e6:g} MHz")

    def summary(self) -> dict[str, object]:
        return {"clock_in_hz": self.clock_in_hz, "clki_div": self.clki_div, "clkfb_div": self.clkfb_div,
                "clkop_div": self.clkop_div, "clkos2_div": self.clkos2_div, "vco_hz": float(self.vco_hz),
                "sync_hz": float(self.sync_hz), "network_hz": float(self.network_hz)}


def search_sync_pll(clock_in_hz: int, sync_target_hz: float, *, sync_min_ratio: float = 0.9,
                    network_target_hz: float | None = None, limits: PllLimits = ECP5_LIMITS) -> SyncPll:
    """The fastest legal setting with ``sync`` in ``[sync_min_ratio, 1] x sync_target_hz``; with
    ``network_target_hz``, then the fastest CLKOS2 ``network`` clock not above it.

    Raises :class:`~.pll.PllError` when the input is out of range or no setting lands in the window."""
    lim = limits
    if not lim.input_min_hz <= clock_in_hz <= lim.input_max_hz:
        raise PllError(f"input clock {clock_in_hz / 1e6:g} MHz outside the PLL's "
                       f"{lim.input_min_hz / 1e6:g}-{lim.input_max_hz / 1e6:g} MHz")
    target = Fraction(sync_target_hz)
    low = target * Fraction(str(sync_min_ratio))
    best = None
    for clki_div in range(1, lim.clki_div_max + 1):
        pfd = Fraction(clock_in_hz, clki_div)
        if not lim.pfd_min_hz <= pfd <= lim.pfd_max_hz:
            continue
        for clkfb_div in range(1, lim.clkfb_div_max + 1):
            sync = pfd * clkfb_div
            if not low <= sync <= target or not lim.output_min_hz <= sync <= lim.output_max_hz:
                continue
            for clkop_div in range(1, lim.output_div_max + 1):
                vco = sync * clkop_div
                if not lim.vco_min_hz <= vco <= lim.vco_max_hz:
                    continue
                output = network_output(vco, sync, network_target_hz, lim)
                if output is None:
                    continue
                network_div, network = output
                key = (-sync, -network, abs(vco - 600_000_000), clki_div)
                if best is None or key < best[0]:
                    best = (key, SyncPll(clock_in_hz, clki_div, clkfb_div, clkop_div, network_div))
    if best is None:
        raise PllError(f"no ECP5 PLL setting gives a sync clock between {float(low) / 1e6:.3f} and "
                       f"{float(target) / 1e6:.3f} MHz from {clock_in_hz / 1e6:g} MHz")
    best[1].check(lim)
    return best[1]


@dataclass(frozen=True)
class ExternalAudioClockPlan:
    """``sync`` from :class:`SyncPll`, ``audio`` (256 fs) from an external generator at ``audio_hz``.

    ``audio_source``: what makes the audio clock (for reports), ``audio_target_hz``: the frequency that
    generator is asked for (``audio_hz`` is what it really makes)."""

    sync_pll: SyncPll
    audio_hz: Fraction
    audio_target_hz: int
    audio_source: str = ""

    @property
    def clock_in_hz(self) -> int:
        return self.sync_pll.clock_in_hz

    @property
    def sync_hz(self) -> Fraction:
        return self.sync_pll.sync_hz

    @property
    def clkos2_div(self) -> int | None:
        return self.sync_pll.clkos2_div

    @property
    def network_hz(self) -> Fraction:
        return self.sync_pll.network_hz

    @property
    def sample_rate_hz(self) -> Fraction:
        return Fraction(self.audio_hz) / AUDIO_CLOCKS_PER_SAMPLE

    def summary(self) -> dict[str, object]:
        return {**self.sync_pll.summary(), "audio_hz": float(self.audio_hz),
                "audio_target_hz": self.audio_target_hz, "audio_source": self.audio_source,
                "sample_rate_hz": float(self.sample_rate_hz)}
