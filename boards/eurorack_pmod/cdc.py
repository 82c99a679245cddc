"""Clock-domain crossing of sample vectors between the codec (``audio``) and network (``sync``) domains.

The codec domain runs at 256 fs (49.152 MHz at 192 kHz) from its own PLL output; the network domain is
the faster system clock. The two are unrelated, so each direction goes through an
:class:`amaranth.lib.fifo.AsyncFIFO` (Gray-coded pointers, 2-FF synchronisers), 64 bits wide:

* ADC, ``audio`` -> ``sync``: ``adc_in`` (one vector per frame) is written when the FIFO has room;
  ``adc_out`` is the FIFO's read side as a normal ready/valid stream. If ``sync`` stops reading, the FIFO
  fills and ``adc_in.ready`` drops (the TDM block then overwrites its pending vector).
* DAC, ``sync`` -> ``audio``: ``dac_in`` is the FIFO's write side (back-pressure when full).
  ``dac_out`` is always valid: it shows the FIFO head when there is one, otherwise the last vector it
  handed out (zeros after reset), so the TDM block repeats the last sample when the network is late.
  A vector is popped only when ``dac_out`` transfers and the FIFO is non-empty.

``depth`` bounds the added latency (each frame is 5.2 us at 192 kHz); the default 4 gives room for
jitter between the network's output and the frame boundary without adding much delay.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import AsyncFIFO
from amaranth.lib.wiring import In, Out

from .samples import sample_vector

__all__ = ["AudioBridge", "connect_through"]


def connect_through(m: Module, fifo: AsyncFIFO, source, sink) -> None:
    """The stream ``source`` into ``fifo``'s write side, its read side out as the stream ``sink``: ready/valid
    on both sides, back-pressure when the FIFO is full."""
    m.d.comb += [
        fifo.w_data.eq(source.payload),
        fifo.w_en.eq(source.valid),
        source.ready.eq(fifo.w_rdy),
        sink.payload.eq(fifo.r_data),
        sink.valid.eq(fifo.r_rdy),
        fifo.r_en.eq(sink.ready),
    ]


class AudioBridge(wiring.Component):
    """Two async FIFOs between the ``audio`` and ``sync`` domains (names configurable).

    Parameters
    ----------
    depth : int
        FIFO depth in vectors (power of two)
    audio_domain : str, sync_domain : str

    Ports
    -----
    adc_in : In(stream.Signature(sample_vector))
        audio domain
    adc_out : Out(stream.Signature(sample_vector))
        sync domain
    dac_in : In(stream.Signature(sample_vector))
        sync domain
    dac_out : Out(stream.Signature(sample_vector))
        audio domain, always valid, holds the last vector
    """

    def __init__(self, *, depth: int = 4, audio_domain: str = "audio", sync_domain: str = "sync"):
        if depth < 2 or depth & (depth - 1):
            raise ValueError(f"AudioBridge depth must be a power of two >= 2, got {depth}")
        self.depth = depth
        self.audio_domain = audio_domain
        self.sync_domain = sync_domain
        super().__init__({
            "adc_in": In(stream.Signature(sample_vector)),
            "adc_out": Out(stream.Signature(sample_vector)),
            "dac_in": In(stream.Signature(sample_vector)),
            "dac_out": Out(stream.Signature(sample_vector)),
        })

    def elaborate(self, platform):
        m = Module()
        width = sample_vector.size

        m.submodules.adc_fifo = adc_fifo = AsyncFIFO(
            width=width, depth=self.depth, w_domain=self.audio_domain, r_domain=self.sync_domain)
        connect_through(m, adc_fifo, self.adc_in, self.adc_out)

        m.submodules.dac_fifo = dac_fifo = AsyncFIFO(
            width=width, depth=self.depth, w_domain=self.sync_domain, r_domain=self.audio_domain)
        m.d.comb += [
            dac_fifo.w_data.eq(self.dac_in.payload),
            dac_fifo.w_en.eq(self.dac_in.valid),
            self.dac_in.ready.eq(dac_fifo.w_rdy),
        ]
        last = Signal(width)
        m.d.comb += [
            self.dac_out.valid.eq(1),
            self.dac_out.payload.eq(Mux(dac_fifo.r_rdy, dac_fifo.r_data, last)),
            dac_fifo.r_en.eq(self.dac_out.ready),
        ]
        with m.If(self.dac_out.ready & dac_fifo.r_rdy):
            m.d[self.audio_domain] += last.eq(dac_fifo.r_data)
        return m
