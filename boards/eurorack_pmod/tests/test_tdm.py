"""TDMCodec against the codec TDM model: ADC slots -> samples, DAC samples -> slots, clock ratios."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from amaranth import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from ..samples import sample_vector
from ..tdm import TDMCodec
from .helpers import to_s16
from .model import CodecTDMModel


class WithIOFlipFlops(wiring.Component):
    """TDMCodec behind one extra register per pin, like ``io.FFBuffer`` I/O cells in the top level."""

    def __init__(self, offset):
        self.tdm = TDMCodec(sdout_sample_offset=offset)
        super().__init__({
            "adc": Out(stream.Signature(sample_vector)), "dac": In(stream.Signature(sample_vector)),
            "sdin1": Out(1), "sdout1": In(1), "lrck": Out(1), "bick": Out(1), "mclk": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.tdm = tdm = self.tdm
        wiring.connect(m, tdm.adc, wiring.flipped(self.adc))
        wiring.connect(m, wiring.flipped(self.dac), tdm.dac)
        sdout_q = Signal()
        m.d.sync += [self.sdin1.eq(tdm.sdin1), self.lrck.eq(tdm.lrck), self.bick.eq(tdm.bick),
                     self.mclk.eq(tdm.mclk), sdout_q.eq(self.sdout1)]
        m.d.comb += tdm.sdout1.eq(sdout_q)
        return m



def run_tdm(*, adc_frames, dac_vectors, frames, offset=0, io_ffs=False, lead=1):
    dut = WithIOFlipFlops(offset) if io_ffs else TDMCodec(sdout_sample_offset=offset, lrck_lead_bits=lead)
    model = CodecTDMModel(bick=dut.bick, lrck=dut.lrck, sdin1=dut.sdin1, sdout1=dut.sdout1, lrck_lead_bits=lead)
    for f in adc_frames:
        model.queue_adc(f)
    got_adc = []
    pins = []

    async def adc_sink(ctx):
        ctx.set(dut.adc.ready, 1)
        async for _, _, valid, payload in ctx.tick().sample(dut.adc.valid, dut.adc.payload):
            if valid:
                got_adc.append([payload[i] for i in range(4)])

    async def dac_source(ctx):
        for vec in dac_vectors:
            ctx.set(dut.dac.payload, vec)
            ctx.set(dut.dac.valid, 1)
            await ctx.tick().until(dut.dac.ready)
        ctx.set(dut.dac.valid, 0)

    async def bench(ctx):
        for _ in range(frames * 256):
            _, _, *values = await ctx.tick().sample(dut.bick, dut.lrck, dut.mclk, dut.sdin1)
            pins.append(values)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_process(model.process)
    sim.add_testbench(adc_sink, background=True)
    sim.add_testbench(dac_source, background=True)
    sim.add_testbench(bench)
    sim.run()
    return model, got_adc, pins


def random_adc_frames(rng, n):
    frames = []
    for _ in range(n):
        words = [rng.getrandbits(24) << 8 for _ in range(4)]
        words[rng.randrange(4)] = rng.choice([0x7FFFFF00, 0x80000000, 0xFFFFFF00, 0x00000100])
        frames.append(words)
    return frames


@pytest.mark.parametrize("offset,lead", [(0, 1), (1, 1), (0, 0)])
def test_adc_frames_give_top_16_bits(offset, lead):
    rng = random.Random(4619 + offset + 10 * lead)
    frames = random_adc_frames(rng, 12)
    model, got, _ = run_tdm(adc_frames=frames, dac_vectors=[], frames=16, offset=offset, lead=lead)
    expected = [[to_s16(w >> 16) for w in f] for f in model.sent]
    assert model.sent[:len(frames)] == [tuple(f) for f in frames]
    # The first frame(s) pass before the model has seen LRCK fall (it sends zeros then); after that,
    # every frame comes out once, in order: frame 1 with the I2S lead, frame 2 when LRCK falls with the
    # MSB (the model only syncs in the middle of that bit period).
    first = 1 if lead else 2
    assert got[:first] == [[0, 0, 0, 0]] * first
    assert got[first:first + len(frames)] == expected[:len(frames)]


def test_io_flip_flops_need_offset_2():
    """The documented rule: with I/O registers on all pins, ``sdout_sample_offset=2`` restores alignment."""
    rng = random.Random(3)
    frames = random_adc_frames(rng, 6)
    vectors = [[rng.randrange(-32768, 32768) for _ in range(4)] for _ in range(3)]
    model, got, _ = run_tdm(adc_frames=frames, dac_vectors=vectors, frames=9, offset=2, io_ffs=True)
    expected = [[to_s16(w >> 16) for w in f] for f in model.sent]
    assert got[1:1 + len(frames)] == expected[:len(frames)]
    dac = [list(f) for f in model.dac_frames if any(f)]
    assert dac[:3] == [[(s & 0xFFFF) << 16 for s in v] for v in vectors]


def test_adc_misaligned_sampling_is_detected():
    """Sampling one bit late must corrupt the data: proves the alignment test above can fail."""
    rng = random.Random(1)
    frames = random_adc_frames(rng, 4)
    model, got, _ = run_tdm(adc_frames=frames, dac_vectors=[], frames=6, offset=2)
    expected = [[to_s16(w >> 16) for w in f] for f in model.sent]
    assert got[1:5] != expected[:4]


@pytest.mark.parametrize("lead", [1, 0])
def test_dac_vectors_land_in_slots_and_hold(lead):
    rng = random.Random(7 + lead)
    vectors = [[rng.randrange(-32768, 32768) for _ in range(4)] for _ in range(8)]
    vectors[3] = [32767, -32768, -1, 1]
    model, _, _ = run_tdm(adc_frames=[], dac_vectors=vectors, frames=13, lead=lead)
    frames = [list(f) for f in model.dac_frames]
    expected = [[(s & 0xFFFF) << 16 for s in v] for v in vectors]
    # Leading frames before the first latch are silent; then every vector once, in order, then the
    # last one is repeated because no new vector arrives.
    while frames and frames[0] == [0, 0, 0, 0]:
        frames.pop(0)
    assert frames[:len(vectors)] == expected
    assert len(frames) > len(vectors) + 1
    assert all(f == expected[-1] for f in frames[len(vectors):])


def test_clock_ratios_and_edges():
    _, _, pins = run_tdm(adc_frames=[], dac_vectors=[[0x1234, -2, 0x7FFF, -0x8000]], frames=4)
    bick = [p[0] for p in pins]
    lrck = [p[1] for p in pins]
    mclk = [p[2] for p in pins]
    sdin = [p[3] for p in pins]
    pins_len = len(pins)
    # BICK and MCLK toggle every audio clock: f = f_audio / 2 = 128 fs (MCLK = BICK in 192 kHz mode).
    assert all(bick[i] != bick[i + 1] for i in range(2, pins_len - 1))
    assert all(mclk[i] != mclk[i + 1] for i in range(2, pins_len - 1))
    # LRCK: period 256 audio clocks (fs = f_audio / 256), 50 % duty, i.e. 128 BICK periods per frame.
    rises = [i for i in range(1, pins_len) if lrck[i] and not lrck[i - 1]]
    falls = [i for i in range(1, pins_len) if not lrck[i] and lrck[i - 1]]
    assert len(rises) >= 3 and all(b - a == 256 for a, b in pairwise(rises))
    assert all(b - a == 256 for a, b in pairwise(falls))
    assert all((f - r) % 256 == 128 for r, f in zip(rises, falls, strict=False))
    bick_rises_per_frame = sum(1 for i in range(rises[0] + 1, rises[1] + 1) if bick[i] and not bick[i - 1])
    assert bick_rises_per_frame == 128
    # LRCK and SDIN1 change only together with a BICK rising edge.
    for i in range(2, pins_len):
        if lrck[i] != lrck[i - 1] or sdin[i] != sdin[i - 1]:
            assert bick[i] == 1 and bick[i - 1] == 0, i
