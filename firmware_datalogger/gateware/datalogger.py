"""Datalogger core: codec sample vectors in, UART TX line out (board independent)."""

from __future__ import annotations

from amaranth import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample_array, sample_vector

from ..fir import design_coefficients
from ..rate_plan import RatePlan
from .channel_select import ChannelSelect
from .decimating_fir import DecimatingFIR
from .framer import Framer
from .uart_tx import UARTTransmitter

__all__ = ["Datalogger"]


class Datalogger(wiring.Component):
    """ChannelSelect -> sample FIFO -> DecimatingFIR (if decimating) -> Framer -> UARTTransmitter.

    ``adc`` takes the codec driver's calibrated 4 x int16 vectors, one per codec frame. It never pushes
    back (``adc`` is ``always_ready``): the codec cannot pause, so if the FIFO is ever full the vector is
    discarded and the framer reports it in the next header as an overrun. The FIFO only has to cover the
    frame header and CRC (18 bytes, under 3 sample periods at 12 Mbaud and 192 kHz); a plan that passes
    :func:`rate_plan.plan` never overruns.
    """

    def __init__(self, plan: RatePlan, channels, *, fifo_depth: int = 16, coeffs=None):
        self.plan = plan
        self.channel_indices = tuple(channels)
        if len(self.channel_indices) != plan.channels:
            raise ValueError(f"{len(self.channel_indices)} channel indices for a {plan.channels}-channel plan")
        self.fifo_depth = fifo_depth
        self.coeffs = None
        if plan.decimation > 1:
            self.coeffs = list(coeffs) if coeffs is not None else design_coefficients(plan.decimation)
        super().__init__({"adc": In(stream.Signature(sample_vector, always_ready=True)), "tx": Out(1, init=1),
                          "overrun": Out(1)})

    def elaborate(self, platform):
        m = Module()
        plan = self.plan
        m.submodules.select = select = ChannelSelect(self.channel_indices)
        m.submodules.fifo = fifo = SyncFIFOBuffered(width=sample_array(plan.channels).size, depth=self.fifo_depth)
        m.submodules.framer = framer = Framer(plan.channels, plan.samples_per_frame, plan.sample_rate_hz)
        m.submodules.uart = uart = UARTTransmitter(plan.clocks_per_bit)

        m.d.comb += [select.i.payload.eq(self.adc.payload), select.i.valid.eq(self.adc.valid),
                     select.o.ready.eq(1),
                     fifo.w_data.eq(select.o.payload), fifo.w_en.eq(select.o.valid)]
        dropped = Signal()
        m.d.comb += [dropped.eq(select.o.valid & ~fifo.w_rdy), framer.dropped.eq(dropped),
                     self.overrun.eq(dropped)]

        if plan.decimation > 1:
            m.submodules.fir = fir = DecimatingFIR(plan.channels, plan.decimation, self.coeffs)
            samples = fir.o
            fir_in = fir.i
        else:
            samples = fir_in = framer.i
        m.d.comb += [fir_in.payload.eq(fifo.r_data), fir_in.valid.eq(fifo.r_rdy), fifo.r_en.eq(fir_in.ready)]
        if samples is not fir_in:
            wiring.connect(m, samples, framer.i)
        wiring.connect(m, framer.o, uart.data)
        m.d.comb += self.tx.eq(uart.tx)
        return m
