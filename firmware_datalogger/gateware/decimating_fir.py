"""Anti-alias decimating FIR: one time-shared multiplier for all taps and channels."""

from __future__ import annotations

from amaranth import Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample_array

from ..fir import COEF_BITS, COEF_FRAC

__all__ = ["DecimatingFIR"]


class DecimatingFIR(wiring.Component):
    """Low-pass filters ``channels`` int16 streams and keeps every ``decimation``-th output.

    Bit-exact with :func:`firmware_datalogger.fir.decimate_reference`. The codec delivers one vector every
    ~500 clocks at 192 kHz / 100 MHz, so a single MULT18X18D computing one product per clock easily covers
    C x taps products per output (the rate plan checks C x (taps + 4) <= R x clocks per input sample).

    Input samples go into a ring memory of sample vectors that is written while a result is computed; it is
    at least taps + decimation deep, so the (at most R - 1) samples written during a computation never
    overwrite a tap still being read. The R-th sample (which starts the next computation) is held off with
    ``i.ready`` until the previous result has been taken, so the component is a plain backpressured stream.

    Pipeline per product: address (ring + coefficient ROM) -> multiply -> accumulate -> round -> saturate.

    After a reset the filter starts from silence, as the reference defines (x = 0 before the first
    sample): a memory keeps its contents through a reset, so instead of clearing it the filter counts the
    samples written since the reset and multiplies every older tap by 0.

    Ports
    -----
    i : In(stream.Signature(sample_array(channels)))
        Input vectors at the codec rate.
    o : Out(stream.Signature(sample_array(channels)))
        Filtered vectors, one per ``decimation`` inputs.
    """

    def __init__(self, channels: int, decimation: int, coeffs):
        self.channels = channels
        self.decimation = decimation
        self.coeffs = [int(c) for c in coeffs]
        if decimation < 2:
            raise ValueError("DecimatingFIR needs decimation >= 2 (bypass it for decimation 1)")
        depth = 1
        while depth < len(self.coeffs) + decimation:
            depth *= 2
        self.depth = depth
        super().__init__({"i": In(stream.Signature(sample_array(channels))),
                          "o": Out(stream.Signature(sample_array(channels)))})

    def elaborate(self, platform):
        m = Module()
        taps, chans, depth = len(self.coeffs), self.channels, self.depth

        m.submodules.history = history = Memory(shape=sample_array(chans), depth=depth, init=[])
        m.submodules.rom = rom = Memory(shape=signed(COEF_BITS), depth=taps, init=self.coeffs)
        wr = history.write_port()
        rd = history.read_port()
        coef = rom.read_port()

        wp = Signal(range(depth))
        phase = Signal(range(self.decimation))
        busy = Signal()            # from the triggering write until the last channel's result is stored
        issuing = Signal()
        base = Signal(range(depth))
        tap = Signal(range(taps))
        chan = Signal(range(chans))
        written = Signal(range(taps + 1))  # samples written since reset, saturating at taps
        live_taps = Signal(range(taps + 1))  # taps of the current computation that hold a real sample

        # --- input: write every accepted vector; every R-th one starts a computation
        trigger = phase == self.decimation - 1
        m.d.comb += self.i.ready.eq(~(trigger & (busy | self.o.valid)))
        m.d.comb += [wr.addr.eq(wp), wr.data.eq(self.i.payload), wr.en.eq(self.i.valid & self.i.ready)]
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += wp.eq(wp + 1)
            with m.If(written != taps):
                m.d.sync += written.eq(written + 1)
            with m.If(trigger):
                m.d.sync += [phase.eq(0), busy.eq(1), issuing.eq(1), base.eq(wp), tap.eq(0), chan.eq(0),
                             live_taps.eq(Mux(written == taps, taps, written + 1))]
            with m.Else():
                m.d.sync += phase.eq(phase + 1)

        # --- stage 0: address tap k of channel c (sample x[n - k])
        m.d.comb += [rd.addr.eq(base - tap), coef.addr.eq(tap)]
        s1_valid, s1_first, s1_last, s1_live = Signal(), Signal(), Signal(), Signal()
        s1_chan = Signal.like(chan)
        m.d.sync += [s1_valid.eq(issuing), s1_first.eq(tap == 0), s1_last.eq(tap == taps - 1), s1_chan.eq(chan),
                     s1_live.eq(tap < live_taps)]
        with m.If(issuing):
            with m.If(tap == taps - 1):
                m.d.sync += tap.eq(0)
                with m.If(chan == chans - 1):
                    m.d.sync += issuing.eq(0)
                with m.Else():
                    m.d.sync += chan.eq(chan + 1)
            with m.Else():
                m.d.sync += tap.eq(tap + 1)

        # --- stage 1: multiply (registered product maps onto the DSP's output register)
        product = Signal(signed(COEF_BITS + 16))
        s2_valid, s2_first, s2_last = Signal(), Signal(), Signal()
        s2_chan = Signal.like(chan)
        m.d.sync += [product.eq(Mux(s1_live, coef.data * rd.data[s1_chan], 0)),
                     s2_valid.eq(s1_valid), s2_first.eq(s1_first), s2_last.eq(s1_last), s2_chan.eq(s1_chan)]

        # --- stage 2: accumulate
        acc = Signal(signed(COEF_BITS + 16 + max(taps - 1, 1).bit_length() + 1))
        s3_last = Signal()
        s3_chan = Signal.like(chan)
        m.d.sync += [s3_last.eq(s2_valid & s2_last), s3_chan.eq(s2_chan)]
        with m.If(s2_valid):
            m.d.sync += acc.eq(Mux(s2_first, 0, acc) + product)

        # --- stage 3: round half up
        rounded = Signal(signed(acc.shape().width - COEF_FRAC + 1))
        s4_last = Signal()
        s4_chan = Signal.like(chan)
        m.d.sync += [rounded.eq((acc + (1 << (COEF_FRAC - 1))) >> COEF_FRAC), s4_last.eq(s3_last),
                     s4_chan.eq(s3_chan)]

        # --- stage 4: saturate into the output vector; the last channel completes the result
        with m.If(s4_last):
            with m.If(rounded > 32767):
                m.d.sync += self.o.payload[s4_chan].eq(32767)
            with m.Elif(rounded < -32768):
                m.d.sync += self.o.payload[s4_chan].eq(-32768)
            with m.Else():
                m.d.sync += self.o.payload[s4_chan].eq(rounded)
            with m.If(s4_chan == chans - 1):
                m.d.sync += [self.o.valid.eq(1), busy.eq(0)]
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        return m
