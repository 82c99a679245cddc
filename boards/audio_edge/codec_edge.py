"""The codec edge of every board top level: the board's clocks, the eurorack-pmod driver and its pins.

    osc --> board.make_clocks (one EHXPLLL) --> sync (~91 MHz), network (~107 MHz), audio (256 fs, ~49.16 MHz)
    codec pins <-> board.connect_codec <-> EurorackPmod (audio domain TDM/I2C) <-> pmod.adc / pmod.dac (sync)

:class:`CodecEdgeTop` is the base class of the board top levels (the network's
:class:`~bitstream.top.NetworkTop`, the datalogger's ``DataloggerTop``): it elaborates the codec
edge, and a subclass adds its own design between ``self.pmod.adc`` and ``self.pmod.dac``. So the
clocking, the driver's parameters and the pin wiring are written once, and the board supplies the parts
that differ between boards (``BoardSpec.make_clocks``, ``BoardSpec.connect_codec``). The clocks and the
driver sit directly in the top level's module, as ``clocks`` and ``pmod``.

With ``board=None`` the top is built for simulation: no clocks and no platform pins; it declares the
``sync`` and ``audio`` domains for the testbench to drive and exposes the codec pads as the ``pads`` port
(:data:`~boards.eurorack_pmod.pins.pads_signature`), behind one ``audio`` register per pin where the
hardware has I/O flip-flops, for the bus models to sit on.
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

from ..eurorack_pmod.pins import connect_sim_pads, pads_signature
from ..eurorack_pmod.pmod import EurorackPmod

__all__ = ["CodecEdgeTop", "codec_driver"]


def codec_driver(audio_clock_hz: float, *, io_registers: bool = True, **overrides) -> EurorackPmod:
    """The eurorack-pmod driver for an ``audio`` domain at ``audio_clock_hz`` (its I2C divider and
    power-up delays are derived from it). With ``io_registers`` the pins SDIN1/LRCK/BICK and SDOUT1 sit in
    I/O flip-flops (:func:`~boards.eurorack_pmod.pins.connect_codec_pins`), which delays SDOUT1 by 2 cycles
    as the driver sees it, so the driver samples 2 cycles later (``sdout_sample_offset=2``).
    ``overrides`` pass straight through."""
    kwargs = {"audio_clk_hz": round(audio_clock_hz), "sdout_sample_offset": 2 if io_registers else 0}
    kwargs.update(overrides)
    return EurorackPmod(**kwargs)


class CodecEdgeTop(wiring.Component):
    """A board top level's codec edge; subclasses connect their design to ``self.pmod.adc``/``dac``.

    Parameters
    ----------
    board : BoardSpec or None
        The board, or None for simulation.
    pmod : EurorackPmod or None
        The driver (default: :func:`codec_driver` for the board's audio clock, with I/O flip-flops and the
        board's ``codec_options``).
    io_registers : bool or None
        Put SDIN1/LRCK/BICK/SDOUT1 in I/O flip-flops (default: when the driver expects them,
        ``sdout_sample_offset >= 2``).
    members : dict or None
        The subclass's own ports.

    Ports
    -----
    pads : Out(pads_signature)
        Simulation only (``board`` None): the codec pins as the FPGA sees them."""

    def __init__(self, board=None, *, pmod: EurorackPmod | None = None, io_registers: bool | None = None,
                 members: dict | None = None):
        if pmod is None:
            if board is None:
                raise ValueError("a simulation top level (board=None) needs an explicit pmod driver")
            pmod = codec_driver(board.audio_clock_hz, io_registers=True, **board.codec_options)
        self.board = board
        self.pmod = pmod
        #: Codec pins in I/O flip-flops; by default whenever the driver expects them (offset >= 2).
        self.io_registers = pmod.sdout_sample_offset >= 2 if io_registers is None else io_registers
        pads = {"pads": Out(pads_signature)} if board is None else {}
        super().__init__({**pads, **(members or {})})

    def elaborate(self, platform):
        m = Module()
        if self.board is None:
            m.domains.sync = ClockDomain("sync")
            m.domains.audio = ClockDomain("audio")
            connect_sim_pads(m, self.pads, self.pmod, io_registers=self.io_registers)
        else:
            m.submodules.clocks = self.board.make_clocks(self.board)
        m.submodules.pmod = self.pmod
        if self.board is not None and platform is not None:
            self.board.connect_codec(m, platform, self.pmod, io_registers=self.io_registers)
        return m
