"""The board top level: EurorackPmod -> input scaling -> Network -> output scaling -> EurorackPmod.

    osc --> ClockGenerator (EHXPLLL) --> sync (network, ~91 MHz)   audio (256 fs, ~49.16 MHz)
    codec pins <-> EurorackPmod (audio domain TDM/I2C, calibrated 4 x int16 streams in sync)
                     adc --> AudioPath (InputScaler -> Network -> OutputScaler, dry FIFO) --> dac

Signal mapping (see ``boards/README.md``): input jack 0 = core wave, jacks 1 and 2 = embedding CVs
(0..5 V -> 0..1; an unplugged jack reads 0, the (0,0) corner), spare network input(s) = 0; output jack 0 =
network, output jack 1 = dry core wave. Scaling constants: :mod:`boards.scaling`.

With ``board=None`` the top is built for simulation: no PLL and no platform pins; the testbench provides
the ``sync`` and ``audio`` clocks and talks to ``top.pads`` (signals named like the codec pins, plus
``scl_oe``/``sda_oe``/``scl_i``/``sda_i``), which mirror the hardware's pads: the same pins pass through one
``audio`` register each when the driver was built for I/O flip-flops (``sdout_sample_offset >= 2``), as the
ECP5 I/O flip-flops do on the board.
"""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import ClockDomain, ClockSignal, Elaboratable, Module, Signal
from amaranth.lib import wiring

from common.config import ModelConfig

from .audio_path import AudioPath
from .clock_generator import ClockGenerator

__all__ = ["Top", "make_codec_driver", "make_network"]

#: Codec pin -> direction as the driver's pin-level ports see them (``boards/codec_pins.py`` names).
_OUTPUT_PINS = ("sdin1", "lrck", "bick", "mclk", "pdn")
_INPUT_PINS = ("sdout1",)
_I2C_PINS = ("scl", "sda")
#: Pins placed in I/O flip-flops clocked by ``audio`` (MCLK stays a plain buffer: its phase is not critical,
#: and PDN/I2C are slow).
_IO_REGISTERED = ("sdin1", "lrck", "bick", "sdout1")


def make_network(network, plan):
    """The generated network component for a :class:`~quantize.weights.QuantizedNetwork` and its plan."""
    from rtl.network import Network  # imported late: rtl/ is generated concurrently and heavy

    return Network(network, plan)


def make_codec_driver(*, audio_clock_hz: float, io_registers: bool = True, **overrides):
    """The eurorack-pmod driver for an ``audio`` domain at ``audio_clock_hz`` (its I2C divider and
    power-up delays are derived from it). With ``io_registers`` the top puts SDIN1/LRCK/BICK and SDOUT1
    into I/O flip-flops (hardware.md §6), which delays SDOUT1 by 2 cycles as the driver sees it, so the
    driver samples 2 cycles later (``sdout_sample_offset=2``). ``overrides`` pass straight through."""
    from .eurorack_pmod.pmod import EurorackPmod

    kwargs = {"audio_clk_hz": round(audio_clock_hz), "sdout_sample_offset": 2 if io_registers else 0}
    kwargs.update(overrides)
    return EurorackPmod(**kwargs)


class Top(Elaboratable):
    """``board``: a :class:`~boards.registry.BoardSpec` (None: simulation). ``network``: the network
    component (ports ``i``/``o``). ``pmod``: the codec driver component (default: built from the board's
    audio clock). ``dry_depth``: the dry-sample FIFO depth (``plan.latency_samples + 2``). ``io_registers``:
    put SDIN1/LRCK/BICK/SDOUT1 in I/O flip-flops (default: when the driver's ``sdout_sample_offset`` >= 2)."""

    def __init__(self, config: ModelConfig, network: wiring.Component, *, board=None, pmod=None,
                 dry_depth: int = 4, io_registers: bool | None = None):
        self.config = config
        self.board = board
        self.network = network
        if pmod is None:
            if board is None:
                raise ValueError("a simulation top (board=None) needs an explicit pmod driver")
            pmod = make_codec_driver(audio_clock_hz=float(board.pll.audio_hz), io_registers=True)
        self.pmod = pmod
        #: Codec pins in I/O flip-flops; by default whenever the driver expects them (offset >= 2).
        self.io_registers = getattr(pmod, "sdout_sample_offset", 0) >= 2 if io_registers is None else io_registers
        self.audio_path = AudioPath(config, network, dry_depth=dry_depth)
        names = (*_OUTPUT_PINS, *_INPUT_PINS, "scl_oe", "sda_oe")
        self.pads = SimpleNamespace(**{name: Signal(name=f"pad_{name}") for name in names},
                                    scl_i=Signal(init=1, name="pad_scl_i"), sda_i=Signal(init=1, name="pad_sda_i"))

    def elaborate(self, platform):
        m = Module()
        io_registers = self.io_registers
        if self.board is None:
            m.domains.sync = ClockDomain("sync")
            m.domains.audio = ClockDomain("audio")
            self._connect_sim_pads(m, self.pmod, io_registers)
        else:
            m.submodules.clocks = ClockGenerator(self.board.pll, self.board.clock_resource,
                                                 self.board.reset_resource)
        m.submodules.pmod = pmod = self.pmod
        m.submodules.audio_path = path = self.audio_path
        wiring.connect(m, pmod.adc, path.adc)
        wiring.connect(m, path.dac, pmod.dac)
        if platform is not None and self.board is not None:
            registered = _IO_REGISTERED if io_registers else ()
            pins = platform.request("eurorack_pmod", 0, xdr={name: 1 for name in registered})
            for name in registered:
                pad = getattr(pins, name)
                clk = pad.i_clk if name in _INPUT_PINS else pad.o_clk
                m.d.comb += clk.eq(ClockSignal("audio"))
            self._connect_pins(m, pins, pmod)
        return m

    def _connect_sim_pads(self, m: Module, pmod, io_registers: bool) -> None:
        """Simulation stand-in for the pads: plain wires, or one ``audio`` register for the pins the
        hardware puts in I/O flip-flops."""
        pads = self.pads
        for name in (*_OUTPUT_PINS, *_INPUT_PINS):
            src, dst = (getattr(pads, name), getattr(pmod, name)) if name in _INPUT_PINS else \
                (getattr(pmod, name), getattr(pads, name))
            domain = m.d.audio if io_registers and name in _IO_REGISTERED else m.d.comb
            domain += dst.eq(src)
        m.d.comb += [pads.scl_oe.eq(pmod.scl_oe), pads.sda_oe.eq(pmod.sda_oe),
                     pmod.scl_i.eq(pads.scl_i), pmod.sda_i.eq(pads.sda_i)]

    @staticmethod
    def _connect_pins(m: Module, pins, pmod) -> None:
        """Wire the driver's pin-level ports to the pads. I2C is open drain: the pad's output is the
        driver's (always 0) output and its enable pulls the line low; released lines float high on the
        module's pull-ups."""
        for name in _OUTPUT_PINS:
            m.d.comb += getattr(pins, name).o.eq(getattr(pmod, name))
        for name in _INPUT_PINS:
            m.d.comb += getattr(pmod, name).eq(getattr(pins, name).i)
        for name in _I2C_PINS:
            pad = getattr(pins, name)
            m.d.comb += [
                pad.o.eq(getattr(pmod, f"{name}_o")),
                pad.oe.eq(getattr(pmod, f"{name}_oe")),
                getattr(pmod, f"{name}_i").eq(pad.i),
            ]
