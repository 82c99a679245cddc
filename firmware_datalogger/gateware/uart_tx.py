"""8N1 UART transmitter with a fractional baud divider."""

from __future__ import annotations

from fractions import Fraction

from amaranth import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["UARTTransmitter"]


class UARTTransmitter(wiring.Component):
    """Sends each byte of ``data`` as start bit, 8 data bits LSB first, stop bit on ``tx`` (idle high).

    ``divider`` is clocks per bit and may be fractional (``Fraction(100_000_000, 12_000_000)`` = 25/3):
    a phase accumulator adds the denominator every clock and emits a bit tick when it passes the numerator,
    so the *average* bit time is exact and every edge is within one clock of its ideal position. The
    FT2232H's 12 Mbaud cannot be divided from 100 MHz by an integer; an integer divider (e.g. 25 for
    4 Mbaud) gives a jitter-free line. Bytes are accepted back to back, so a busy link carries
    exactly baud/10 bytes/s with no idle gaps.

    Ports
    -----
    data : In(stream.Signature(8))
        The bytes to send.
    tx : Out(1, init=1)
        The line (idle high).
    """

    def __init__(self, divider):
        self.divider = Fraction(divider)
        if self.divider < 2:
            raise ValueError(f"UART divider {divider} is below 2 clocks per bit")
        super().__init__({"data": In(stream.Signature(8)), "tx": Out(1, init=1)})

    def elaborate(self, platform):
        m = Module()
        num, den = self.divider.numerator, self.divider.denominator
        phase = Signal(range(num + den))
        tick = Signal()
        shift = Signal(10)  # stop bit, 8 data bits, start bit (LSB goes out first)
        bits_left = Signal(range(11))

        # Bit timing runs only while a byte is in flight and restarts with each byte, so the start bit of a
        # byte that follows an idle line is a whole bit long.
        with m.If(bits_left != 0):
            with m.If(phase + den >= num):
                m.d.sync += phase.eq(phase + den - num)
                m.d.comb += tick.eq(1)
            with m.Else():
                m.d.sync += phase.eq(phase + den)

        m.d.comb += self.data.ready.eq((bits_left == 0) | ((bits_left == 1) & tick))
        with m.If(self.data.valid & self.data.ready):
            m.d.sync += [shift.eq((1 << 9) | (self.data.payload << 1)), bits_left.eq(10), self.tx.eq(0)]
            with m.If(bits_left == 0):
                m.d.sync += phase.eq(0)
        with m.Elif(tick):
            m.d.sync += [shift.eq(shift >> 1), bits_left.eq(bits_left - 1), self.tx.eq(shift[1] | (bits_left == 1))]
        return m
