"""Board top level of the datalogger bitstream (an ``Elaboratable``: it owns the platform pins).

    osc -> ClockGenerator (boards/, EHXPLLL) -> sync (~91 MHz on ECPIX-5), audio (256 fs)
    codec pins <-> EurorackPmod (boards/eurorack_pmod/) -> calibrated 4 x int16 vectors in sync
                     adc -> Datalogger -> uart TX pin (the FTDI's UART channel)

The DAC stream is left idle (outputs hold 0 V): the datalogger only listens.
"""

from __future__ import annotations

from amaranth.hdl import ClockSignal, Elaboratable, Module

from .datalogger import Datalogger

__all__ = ["DataloggerTop"]

_OUTPUT_PINS = ("sdin1", "lrck", "bick", "mclk", "pdn")
_IO_REGISTERED = ("sdin1", "lrck", "bick", "sdout1")


class DataloggerTop(Elaboratable):
    def __init__(self, board, plan, channels, *, coeffs=None):
        from boards.top import make_codec_driver

        self.board = board
        # I/O flip-flops on the fast codec pins, as the network bitstream does (hardware.md section 6).
        self.pmod = make_codec_driver(audio_clock_hz=float(board.pll.audio_hz), io_registers=True)
        self.logger = Datalogger(plan, channels, coeffs=coeffs)

    def elaborate(self, platform):
        from boards.clock_generator import ClockGenerator

        m = Module()
        m.submodules.clocks = ClockGenerator(self.board.pll, self.board.clock_resource, self.board.reset_resource)
        m.submodules.pmod = pmod = self.pmod
        m.submodules.logger = logger = self.logger
        m.d.comb += [logger.adc.payload.eq(pmod.adc.payload), logger.adc.valid.eq(pmod.adc.valid),
                     pmod.adc.ready.eq(logger.adc.ready), pmod.dac.valid.eq(0)]

        pins = platform.request("eurorack_pmod", 0, xdr={name: 1 for name in _IO_REGISTERED})
        for name in _IO_REGISTERED:
            pad = getattr(pins, name)
            m.d.comb += (pad.i_clk if name == "sdout1" else pad.o_clk).eq(ClockSignal("audio"))
        for name in _OUTPUT_PINS:
            m.d.comb += getattr(pins, name).o.eq(getattr(pmod, name))
        m.d.comb += pmod.sdout1.eq(pins.sdout1.i)
        for name in ("scl", "sda"):
            pad = getattr(pins, name)
            m.d.comb += [pad.o.eq(getattr(pmod, f"{name}_o")), pad.oe.eq(getattr(pmod, f"{name}_oe")),
                         getattr(pmod, f"{name}_i").eq(pad.i)]

        uart = platform.request("uart", 0)
        m.d.comb += uart.tx.o.eq(logger.tx)
        return m
