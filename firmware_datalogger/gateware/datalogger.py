"""Datalogger core: codec sample vectors in, UART TX line out (board independent)."""

from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample_vector

from ..fir import design_coefficients
from ..rate_plan import RatePlan
from .channel_select import ChannelSelect
from .decimating_fir import DecimatingFIR
from .frame_buffer import FrameBuffer
from .framer import Framer
from .uart_tx import UARTTransmitter

__all__ = ["Datalogger"]


class Datalogger(wiring.Component):
    """ChannelSelect -> DecimatingFIR (if decimating) -> FrameBuffer -> Framer -> UARTTransmitter.

    ``adc`` takes the codec driver's calibrated 4 x int16 vectors, one per codec frame. It never pushes
    back (``adc`` is ``always_ready``): the codec cannot pause. The :class:`.frame_buffer.FrameBuffer`
    hands the framer only whole frames of consecutive vectors; if the link ever falls behind, it discards
    whole frames and the next frame's header counts exactly what is missing before it. A plan that passes
    :func:`rate_plan.plan` never gets there (the link is faster than the samples).

    The decimating FIR accepts a vector on every codec frame as long as its budget holds (also checked by
    the plan). Should it ever refuse one, that input is lost: the outputs whose taps reach across the hole
    are discarded too (``ceil((taps - 1) / R) + 1``, counting the one being computed) and the next frame is
    marked with an unknown overrun count. ``overrun`` strobes for every vector lost anywhere.

    Ports
    -----
    adc : In(stream.Signature(sample_vector, always_ready=True))
        The codec driver's calibrated vectors.
    tx : Out(1, init=1)
        The UART line (idle high).
    overrun : Out(1)
        One-cycle strobe per vector lost anywhere.
    """

    def __init__(self, plan: RatePlan, channels, *, slack: int = 16, coeffs=None):
        self.plan = plan
        self.channel_indices = tuple(channels)
        if len(self.channel_indices) != plan.channels:
            raise ValueError(f"{len(self.channel_indices)} channel indices for a {plan.channels}-channel plan")
        self.slack = slack
        self.coeffs = None
        if plan.decimation > 1:
            self.coeffs = list(coeffs) if coeffs is not None else design_coefficients(plan.decimation)
        super().__init__({"adc": In(stream.Signature(sample_vector, always_ready=True)), "tx": Out(1, init=1),
                          "overrun": Out(1)})

    def elaborate(self, platform):
        m = Module()
        plan = self.plan
        m.submodules.select = select = ChannelSelect(self.channel_indices)
        m.submodules.buffer = buffer = FrameBuffer(plan.channels, plan.samples_per_frame, slack=self.slack)
        m.submodules.framer = framer = Framer(plan.channels, plan.samples_per_frame, plan.sample_rate_hz)
        m.submodules.uart = uart = UARTTransmitter(plan.clocks_per_bit)

        m.d.comb += [select.i.payload.eq(self.adc.payload), select.i.valid.eq(self.adc.valid),
                     select.o.ready.eq(1)]
        if plan.decimation > 1:
            m.submodules.fir = fir = DecimatingFIR(plan.channels, plan.decimation, self.coeffs)
            refused = Signal()
            settle_outputs = -(-(len(self.coeffs) - 1) // plan.decimation) + 1
            settle = Signal(range(settle_outputs + 1))
            m.d.comb += [fir.i.payload.eq(select.o.payload), fir.i.valid.eq(select.o.valid),
                         refused.eq(select.o.valid & ~fir.i.ready),
                         buffer.i.payload.eq(fir.o.payload), buffer.i.valid.eq(fir.o.valid), fir.o.ready.eq(1),
                         buffer.gap.eq(refused | (settle != 0)),
                         self.overrun.eq(refused | buffer.dropped)]
            with m.If(refused):
                m.d.sync += settle.eq(settle_outputs)
            with m.Elif(fir.o.valid & (settle != 0)):
                m.d.sync += settle.eq(settle - 1)
        else:
            m.d.comb += [buffer.i.payload.eq(select.o.payload), buffer.i.valid.eq(select.o.valid),
                         self.overrun.eq(buffer.dropped)]
        wiring.connect(m, buffer.o, framer.i)
        wiring.connect(m, framer.o, uart.data)
        m.d.comb += self.tx.eq(uart.tx)
        return m
