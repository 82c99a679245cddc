"""ClockGenerator: one ECP5 EHXPLLL making the ``sync`` (system), ``audio`` (256 x fs) and, when the board
asks for one, ``network`` domains.

CLKOP drives ``sync`` and is the PLL's own feedback; CLKOS drives ``audio``; CLKOS2 drives ``network`` (the
front end and the network, :class:`~boards.audio_edge.network_domain.NetworkDomain`). Dividers come from
:func:`boards.clocking.pll.search_pll`. All domains are held in reset until the PLL reports lock (and while the
board's reset button, if any, is pressed); each reset is released synchronously to its own clock by a
:class:`~amaranth.lib.cdc.ResetSynchronizer`, so no flip-flop sees a reset edge near its clock edge.
Holding ``audio`` in reset also holds the codec in power-down (the driver ties PDN to its reset,
``docs/eurorack-pmod.md`` §7.1). No clock constraints are added for the PLL outputs:
nextpnr-ecp5 derives them from the oscillator's constraint and the EHXPLLL dividers ("Derived frequency
constraint of 91.3 MHz ..."), and constraints on the output nets would be dropped anyway when yosys merges
them into the domain clock nets.
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain, ClockSignal, Const, Instance, Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import ResetSynchronizer
from amaranth.lib.wiring import Out

from .pll import Ehxplll, PllSettings

__all__ = ["ClockGenerator", "ehxplll"]


def _mhz(hz) -> str:
    return f"{float(hz) / 1e6:.6f}"


def ehxplll(pll: Ehxplll, *, clk_in, clk_sync, locked, clk_audio=None, clk_network=None) -> Instance:
    """The EHXPLLL instance of ``pll``: ``clk_in`` in, CLKOP to ``clk_sync`` (also its feedback), CLKOS to
    ``clk_audio`` when the PLL makes the codec clock, CLKOS2 to ``clk_network`` when it makes a network clock,
    LOCK to ``locked``. The ``FREQUENCY_PIN_*`` attributes tell nextpnr each output's frequency; the loop
    filter settings are the ones Lattice's tools (and prjtrellis' ``ecppll``) write."""
    audio = {} if clk_audio is None else {"a_FREQUENCY_PIN_CLKOS": _mhz(pll.vco_hz / pll.clkos_div)}
    network = {} if clk_network is None else {"a_FREQUENCY_PIN_CLKOS2": _mhz(pll.network_hz),
                                              "o_CLKOS2": clk_network, "i_ENCLKOS2": 0}
    audio_ports = {} if clk_audio is None else {"i_ENCLKOS": 0}
    audio_out = {} if clk_audio is None else {"o_CLKOS": clk_audio}
    return Instance(
        "EHXPLLL",
        a_FREQUENCY_PIN_CLKI=_mhz(pll.clock_in_hz),
        a_FREQUENCY_PIN_CLKOP=_mhz(pll.sync_hz),
        **audio,
        **network,
        a_ICP_CURRENT="12",
        a_LPF_RESISTOR="8",
        a_MFG_ENABLE_FILTEROPAMP="1",
        a_MFG_GMCREF_SEL="2",
        **{f"p_{name}": value for name, value in pll.instance_params().items()},
        i_CLKI=clk_in,
        i_CLKFB=clk_sync,
        i_RST=0,
        i_STDBY=0,
        i_PHASESEL0=0,
        i_PHASESEL1=0,
        i_PHASEDIR=0,
        i_PHASESTEP=0,
        i_PHASELOADREG=0,
        i_PLLWAKESYNC=0,
        i_ENCLKOP=0,
        **audio_ports,
        o_CLKOP=clk_sync,
        **audio_out,
        o_LOCK=locked,
    )


class ClockGenerator(wiring.Component):
    """Every domain from one EHXPLLL (module docstring).

    Parameters
    ----------
    pll : PllSettings
        The board's PLL.
    clock_resource : str
        The oscillator's platform resource.
    reset_resource : str or None
        An optional reset button.

    Ports
    -----
    locked : Out(1)
        The PLL's lock output (for an LED or a status bit)."""

    def __init__(self, pll: PllSettings, clock_resource: str, reset_resource: str | None = None):
        self._pll = pll
        self._clock_resource = clock_resource
        self._reset_resource = reset_resource
        super().__init__({"locked": Out(1)})

    def elaborate(self, platform):
        m = Module()
        pll = self._pll
        clk_in = platform.request(self._clock_resource, 0).i
        reset = Const(0)
        if self._reset_resource is not None:
            reset = platform.request(self._reset_resource, 0).i

        m.domains.sync = ClockDomain("sync")
        m.domains.audio = ClockDomain("audio")
        clk_sync, clk_audio = Signal(name="clk_sync"), Signal(name="clk_audio")
        clk_network = None
        if pll.clkos2_div is not None:
            m.domains.network = ClockDomain("network")
            clk_network = Signal(name="clk_network")
            m.d.comb += ClockSignal("network").eq(clk_network)
        m.submodules.pll = ehxplll(pll, clk_in=clk_in, clk_sync=clk_sync, locked=self.locked, clk_audio=clk_audio,
                                   clk_network=clk_network)
        m.d.comb += [ClockSignal("sync").eq(clk_sync), ClockSignal("audio").eq(clk_audio)]
        hold = ~self.locked | reset
        m.submodules.reset_sync = ResetSynchronizer(hold, domain="sync")
        m.submodules.reset_audio = ResetSynchronizer(hold, domain="audio")
        if clk_network is not None:
            m.submodules.reset_network = ResetSynchronizer(hold, domain="network")
        return m
