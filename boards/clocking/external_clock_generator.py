"""ExternalAudioClockGenerator: ``sync`` from one EHXPLLL, ``audio`` from an external clock ball.

    board oscillator --> EHXPLLL (CLKOP = feedback) --> sync      (codec streams, e.g. 90 MHz on Tiliqua)
                                 (CLKOS2, optional) --> network   (front end and network, e.g. 108 MHz)
    external generator --> clock-capable ball --------> audio     (codec, 256 fs, e.g. 49.152 MHz)

* ``sync`` (and ``network``) are held in reset until the PLL locks
  (:class:`~amaranth.lib.cdc.ResetSynchronizer`, released on an edge of their own clock).
* ``audio`` is held in reset until :class:`.audio_clock_monitor.AudioClockMonitor` has measured the
  external clock within 1 % of the planned frequency, and again whenever it is not. Holding ``audio`` in
  reset holds the codec driver in reset, and so the codec in power-down (``docs/eurorack-pmod.md`` §7.1):
  with a missing or wrong external clock the module stays silent instead of running at a wrong rate.
  The reset is asserted at once and released on an ``audio`` edge.

The frequency the ball carries comes from the board's
:class:`~.external_audio.ExternalAudioClockPlan`; the platform gives that ball a ``Clock`` constraint of
the same frequency, so nextpnr checks the ``audio`` domain against it.
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain, ClockSignal, Const, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import ResetSynchronizer
from amaranth.lib.wiring import Out

from .audio_clock_monitor import AudioClockMonitor
from .clock_generator import ehxplll
from .external_audio import ExternalAudioClockPlan

__all__ = ["ExternalAudioClockGenerator"]


class ExternalAudioClockGenerator(wiring.Component):
    """``sync`` (and ``network``) from one EHXPLLL, ``audio`` from an external clock ball (module docstring).

    Parameters
    ----------
    plan : ExternalAudioClockPlan
        The board's clock plan.
    clock_resource, audio_resource : str
        The oscillator's and the external audio clock's platform resources.
    reset_resource : str or None
        An optional reset button.

    Ports
    -----
    locked : Out(1)
        The PLL's lock.
    audio_ok : Out(1)
        ``sync`` domain: the external clock measured right (:class:`.audio_clock_monitor.AudioClockMonitor`)."""

    def __init__(self, plan: ExternalAudioClockPlan, clock_resource: str, audio_resource: str,
                 reset_resource: str | None = None):
        self._plan = plan
        self._clock_resource = clock_resource
        self._audio_resource = audio_resource
        self._reset_resource = reset_resource
        self.monitor = AudioClockMonitor(float(plan.audio_hz), float(plan.sync_hz))
        super().__init__({"locked": Out(1), "audio_ok": Out(1)})

    def elaborate(self, platform):
        m = Module()
        pll = self._plan.sync_pll
        clk_in = platform.request(self._clock_resource, 0).i
        clk_audio = platform.request(self._audio_resource, 0).i
        reset = Const(0)
        if self._reset_resource is not None:
            reset = platform.request(self._reset_resource, 0).i

        m.domains.sync = ClockDomain("sync")
        m.domains.audio = ClockDomain("audio")
        clk_sync = Signal(name="clk_sync")
        clk_network = None
        if pll.clkos2_div is not None:
            m.domains.network = ClockDomain("network")
            clk_network = Signal(name="clk_network")
            m.d.comb += ClockSignal("network").eq(clk_network)
        m.submodules.pll = ehxplll(pll, clk_in=clk_in, clk_sync=clk_sync, locked=self.locked, clk_network=clk_network)
        m.d.comb += [ClockSignal("sync").eq(clk_sync), ClockSignal("audio").eq(clk_audio)]
        m.submodules.reset_sync = ResetSynchronizer(~self.locked | reset, domain="sync")
        if clk_network is not None:
            m.submodules.reset_network = ResetSynchronizer(~self.locked | reset, domain="network")

        m.submodules.monitor = monitor = self.monitor
        m.d.comb += self.audio_ok.eq(monitor.ok)
        m.submodules.reset_audio = ResetSynchronizer(~monitor.ok | ~self.locked | reset, domain="audio")
        return m
