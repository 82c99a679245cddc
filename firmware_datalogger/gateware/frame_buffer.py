"""FrameBuffer: whole frames of consecutive sample vectors, so that samples can only go missing between frames."""

from __future__ import annotations

from amaranth import Module, Mux, Signal, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.data import StructLayout
from amaranth.lib.fifo import SyncFIFO
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample_array

from ..protocol import OVERRUN_UNKNOWN

__all__ = ["FrameBuffer", "framed_samples"]


def framed_samples(channels: int) -> StructLayout:
    """One sample vector on its way to the framer, with the overrun count of the frame it belongs to (the
    vectors discarded just before that frame; the same value for all its vectors)."""
    return StructLayout({"samples": sample_array(channels), "overrun": unsigned(16)})


class FrameBuffer(wiring.Component):
    """Collects ``samples_per_frame`` vectors into a frame and releases it only once it is complete.

    The codec cannot pause, so ``i`` is always ready; the link drains ``o`` at its own pace. If the link
    falls behind (a broken rate plan) and the buffer is full when a vector arrives, that vector and the
    incomplete frame being collected are discarded *together*, and the count goes to the next complete
    frame (``o.payload.overrun``, the frame header's overrun field). A frame is therefore always N
    consecutive vectors, and the count is exactly what is missing between two frames: the host can never
    mistake a gap for continuous audio, and no gap falls inside a frame (which the framer could not
    report, having sent the header before the samples).

    ``gap`` (level): samples were lost upstream and could not be counted; while it is high, arriving vectors
    are discarded, the incomplete frame too, and the next frame's count is ``OVERRUN_UNKNOWN``.
    ``dropped``: one-cycle strobe per vector discarded here.

    Storage: a ring of ``depth`` vectors (the next power of two >= N + ``slack``) in block RAM. A frame is
    complete after N sample periods and the link sends it in less (the rate plan keeps it below 90 %), so
    the ring holds one frame plus the vectors that arrive while its header goes out; ``slack`` covers those.

    Ports
    -----
    i : In(stream.Signature(sample_array(channels), always_ready=True))
        Vectors from the codec side.
    gap : In(1)
        Samples lost upstream, uncounted (above).
    o : Out(stream.Signature(framed_samples(channels)))
        The vectors of complete frames, each with its frame's overrun count.
    dropped : Out(1)
        One-cycle strobe per vector discarded here.
    """

    def __init__(self, channels: int, samples_per_frame: int, *, slack: int = 16):
        if samples_per_frame < 1 or slack < 1:
            raise ValueError(f"samples_per_frame and slack must be positive, got {samples_per_frame}, {slack}")
        self.channels = channels
        self.samples_per_frame = samples_per_frame
        depth = 2
        while depth < samples_per_frame + slack:
            depth *= 2
        self.depth = depth
        super().__init__({"i": In(stream.Signature(sample_array(channels), always_ready=True)),
                          "gap": In(1),
                          "o": Out(stream.Signature(framed_samples(channels))),
                          "dropped": Out(1)})

    def elaborate(self, platform):
        m = Module()
        n, depth = self.samples_per_frame, self.depth
        addr_bits = depth.bit_length() - 1

        m.submodules.ring = ring = Memory(shape=sample_array(self.channels), depth=depth, init=[])
        wr = ring.write_port()
        rd = ring.read_port()
        # The overrun count of every complete frame in the ring, oldest first (at most depth // n of them).
        m.submodules.counts = counts = SyncFIFO(width=16, depth=depth // n + 1)

        # Pointers with one wrap bit: write, commit (start of the frame being collected), read.
        wp, cp, rp = (Signal(addr_bits + 1, name=name) for name in ("wp", "cp", "rp"))
        collected = Signal(range(n))          # vectors of the incomplete frame, wp - cp
        pending = Signal(16)                  # vectors discarded since the last complete frame (saturating)
        full = Signal()
        m.d.comb += full.eq((wp - rp)[:addr_bits + 1] == depth)

        lost = Signal(range(n + 1 + OVERRUN_UNKNOWN))
        m.d.comb += lost.eq(pending + collected + 1)
        m.d.comb += [wr.addr.eq(wp[:addr_bits]), wr.data.eq(self.i.payload), counts.w_data.eq(pending)]
        with m.If(self.gap):
            m.d.sync += [wp.eq(cp), collected.eq(0), pending.eq(OVERRUN_UNKNOWN)]
            m.d.comb += self.dropped.eq(self.i.valid)
        with m.Elif(self.i.valid & full):
            m.d.sync += [wp.eq(cp), collected.eq(0),
                         pending.eq(Mux(lost >= OVERRUN_UNKNOWN, OVERRUN_UNKNOWN, lost))]
            m.d.comb += self.dropped.eq(1)
        with m.Elif(self.i.valid):
            m.d.comb += wr.en.eq(1)
            m.d.sync += wp.eq(wp + 1)
            with m.If(collected == n - 1):
                m.d.sync += [cp.eq(wp + 1), collected.eq(0), pending.eq(0)]
                m.d.comb += counts.w_en.eq(1)
            with m.Else():
                m.d.sync += collected.eq(collected + 1)

        # Read side: only complete frames; the output register is reloaded in the cycle it is emptied.
        load = (rp != cp) & (~self.o.valid | self.o.ready)
        m.d.comb += [rd.addr.eq(rp[:addr_bits]), rd.en.eq(load),
                     self.o.payload.samples.eq(rd.data), self.o.payload.overrun.eq(counts.r_data)]
        with m.If(load):
            m.d.sync += [rp.eq(rp + 1), self.o.valid.eq(1)]
        with m.Elif(self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        sent = Signal(range(n))
        with m.If(self.o.valid & self.o.ready):
            with m.If(sent == n - 1):
                m.d.sync += sent.eq(0)
                m.d.comb += counts.r_en.eq(1)
            with m.Else():
                m.d.sync += sent.eq(sent + 1)
        return m
