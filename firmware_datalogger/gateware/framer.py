"""Framer: packs sample vectors into checked binary frames (format in :mod:`firmware_datalogger.protocol`)."""

from __future__ import annotations

from amaranth import Array, Const, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .. import protocol
from .boot_counter import BootCounter
from .frame_buffer import framed_samples

__all__ = ["Framer"]


class Framer(wiring.Component):
    """Streams a header (sync word, channels, frame size, sample rate, sequence, overrun count, boot
    identifier), then ``samples_per_frame`` vectors of ``channels`` int16 (little endian), then the CRC-16.

    ``i`` comes from :class:`.frame_buffer.FrameBuffer`: a frame's vectors are only offered once the whole
    frame is there, so once its header has started the frame is sent without a pause, and each vector
    carries the frame's overrun count (the vectors discarded just before it), which goes into the header.
    The header waits for the frame's first vector, so the count it carries is always the frame's own.

    The sequence starts again at 0 after every reset; the boot identifier comes from a
    :class:`.boot_counter.BootCounter`, which a reset advances instead of clearing.

    Ports
    -----
    i : In(stream.Signature(framed_samples(channels)))
        Whole frames' vectors from the frame buffer.
    o : Out(stream.Signature(8))
        The frames' bytes, to the UART.
    """

    def __init__(self, channels: int, samples_per_frame: int, sample_rate_hz: int):
        self.channels = channels
        self.samples_per_frame = samples_per_frame
        self.sample_rate_hz = sample_rate_hz
        super().__init__({"i": In(stream.Signature(framed_samples(channels))),
                          "o": Out(stream.Signature(8))})

    def elaborate(self, platform):
        m = Module()
        n, c_count = self.samples_per_frame, self.channels
        m.submodules.boot_counter = boot_counter = BootCounter()

        sequence = Signal(32)
        overrun = Signal(16)          # the overrun count of the frame being sent
        # The frame check over every byte after the sync word; restarted at the frame's first such byte.
        m.submodules.crc = check = protocol.CRC16.create()
        crc = check.crc
        m.d.comb += check.data.eq(self.o.payload)
        index = Signal(range(protocol.HEADER_BYTES))
        sample = Signal(range(n))
        chan = Signal(range(c_count))
        high = Signal()               # second byte of the current int16
        transfer = self.o.valid & self.o.ready

        head = protocol.header_bytes(channels=c_count, samples=n, sample_rate_hz=self.sample_rate_hz, sequence=0)
        header = Array([Const(b, 8) for b in head[:10]]
                       + [sequence.word_select(i, 8) for i in range(4)]
                       + [overrun.word_select(i, 8) for i in range(2)]
                       + [boot_counter.boot.word_select(i, 8) for i in range(2)])
        assert len(header) == protocol.HEADER_BYTES

        with m.FSM():
            with m.State("HEADER"):
                # The first byte waits for the frame; its overrun count is latched as that byte goes out.
                m.d.comb += [self.o.valid.eq((index != 0) | self.i.valid), self.o.payload.eq(header[index])]
                with m.If(transfer & (index == 0)):
                    m.d.sync += overrun.eq(self.i.payload.overrun)
                with m.If(transfer):
                    m.d.sync += index.eq(index + 1)
                    m.d.comb += [check.valid.eq(index >= len(protocol.SYNC)),
                                 check.start.eq(index == len(protocol.SYNC))]
                    with m.If(index == protocol.HEADER_BYTES - 1):
                        m.d.sync += [index.eq(0), sample.eq(0), chan.eq(0), high.eq(0)]
                        m.next = "PAYLOAD"
            with m.State("PAYLOAD"):
                word = Signal(16)
                m.d.comb += [word.eq(self.i.payload.samples[chan]), self.o.valid.eq(self.i.valid),
                             self.o.payload.eq(word.word_select(high, 8))]
                last_byte_of_vector = high & (chan == c_count - 1)
                m.d.comb += self.i.ready.eq(self.o.ready & last_byte_of_vector)
                with m.If(transfer):
                    m.d.comb += check.valid.eq(1)
                    m.d.sync += high.eq(~high)
                    with m.If(high):
                        m.d.sync += chan.eq(chan + 1)
                        with m.If(last_byte_of_vector):
                            m.d.sync += [chan.eq(0), sample.eq(sample + 1)]
                            with m.If(sample == n - 1):
                                m.next = "CRC_HIGH"
            with m.State("CRC_HIGH"):
                m.d.comb += [self.o.valid.eq(1), self.o.payload.eq(crc[8:])]
                with m.If(transfer):
                    m.next = "CRC_LOW"
            with m.State("CRC_LOW"):
                m.d.comb += [self.o.valid.eq(1), self.o.payload.eq(crc[:8])]
                with m.If(transfer):
                    m.d.sync += sequence.eq(sequence + 1)
                    m.next = "HEADER"
        return m
