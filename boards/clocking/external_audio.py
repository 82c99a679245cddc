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

from .pll import AUDIO_CLOCKS_PER_SAMPLE, ECP5_LIMITS, Ehxplll, PllError, PllLimits, network_output

__all__ = ["ExternalAudioClockPlan", "SyncPll", "search_sync_pll"]


@dataclass(frozen=True)
class SyncPll(Ehxplll):
    """An EHXPLLL whose CLKOP (``sync``) is also its feedback, with no CLKOS: ``clkos2_div`` is CLKOS2's
    divider for the ``network`` domain, or None (the network runs in ``sync``)."""


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
                    best = (key, SyncPll(clock_in_hz, clki_div, clkfb_div, clkop_div,
                                                   clkos2_div=network_div))
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
