"""The whole EurorackPmod with the I2C and codec models: init, calibrated ADC stream, DAC slots."""

from __future__ import annotations

import random

import pytest
from amaranth.sim import Simulator

from ..calibration import R35_INPUT, R35_OUTPUT
from ..pmod import EurorackPmod
from .helpers import HW_AK4619_192K, cal, find_run, to_s16
from .model import CodecTDMModel, I2CTargetModel

AUDIO_HZ = 49_152_000
JACKS = 0b0011_0101          # inputs 0 and 2 plugged, outputs 0 and 1 plugged





@pytest.mark.slow
def test_pmod_end_to_end():
    dut = EurorackPmod(audio_clk_hz=AUDIO_HZ, i2c_divider=4, power_up_delay_s=4e-6, settle_delay_s=1e-6,
                       retry_delay_s=4e-6, poll_interval_s=2e-6)
    i2c = I2CTargetModel(scl_oe=dut.scl_oe, sda_oe=dut.sda_oe, scl_i=dut.scl_i, sda_i=dut.sda_i,
                         devices={0x10: {}, 0x18: {0x00: JACKS}})
    codec = CodecTDMModel(bick=dut.bick, lrck=dut.lrck, sdin1=dut.sdin1, sdout1=dut.sdout1)
    rng = random.Random(192)
    adc_frames = [[rng.getrandbits(24) << 8 for _ in range(4)] for _ in range(6)]
    adc_frames[2] = [0x7FFFFF00, 0x80000000, 0x00000000, 0xFFFFFF00]
    dac_vectors = [[rng.randrange(-32768, 32768) for _ in range(4)] for _ in range(6)]
    dac_vectors[1] = [32767, -32768, 0, -1]
    adc_got = []
    state = {}

    async def adc_sink(ctx):
        ctx.set(dut.adc.ready, 1)
        async for _, _, valid, payload in ctx.tick("sync").sample(dut.adc.valid, dut.adc.payload):
            if valid:
                adc_got.append([payload[i] for i in range(4)])

    async def bench(ctx):
        for _ in range(30_000):
            if ctx.get(dut.ready) and ctx.get(dut.jacks) == JACKS:
                break
            await ctx.tick("sync")
        assert ctx.get(dut.ready) == 1 and ctx.get(dut.jacks) == JACKS
        assert ctx.get(dut.pdn) == 1
        state["adc_start"] = len(adc_got)
        for f in adc_frames:
            codec.queue_adc(f)
        for v in dac_vectors:
            ctx.set(dut.dac.payload, v)
            ctx.set(dut.dac.valid, 1)
            await ctx.tick("sync").until(dut.dac.ready)
        ctx.set(dut.dac.valid, 0)
        for _ in range(256 * 12 * 2):     # ~12 frames of audio clock, in faster sync ticks
            await ctx.tick("sync")
        assert ctx.get(dut.error) == 0 and ctx.get(dut.nack_count) == 0

    sim = Simulator(dut)
    sim.add_clock(1 / AUDIO_HZ, domain="audio")
    sim.add_clock(1 / 60e6, domain="sync")
    sim.add_process(i2c.process)
    sim.add_process(codec.process)
    sim.add_testbench(adc_sink, background=True)
    sim.add_testbench(bench)
    sim.run()

    # Control path: codec configured to the table of docs/eurorack-pmod.md §5 (192 kHz), jack byte read back.
    assert list(i2c.regs[0x10][0:21]) == HW_AK4619_192K

    # ADC: raw top-16 bits -> R3.5 input calibration (negative gain = inversion), unplugged inputs 0.
    expected_adc = [[cal(to_s16(w >> 16), o, g) if JACKS >> ch & 1 else 0
                     for ch, (w, o, g) in enumerate(zip(f, R35_INPUT.offsets, R35_INPUT.gains, strict=True))]
                    for f in adc_frames]
    assert expected_adc[2][0] == cal(32767, -788, -1278) and expected_adc[2][1] == 0
    got = adc_got[state["adc_start"]:]
    at = find_run(got, expected_adc)
    assert at is not None, (got, expected_adc)
    assert at <= 4          # within a few frames of queueing (bridge + calibration latency)

    # DAC: R3.5 output calibration, 16-bit sample at the top of each 32-bit slot, every vector once.
    expected_dac = [[(cal(s, o, g) & 0xFFFF) << 16
                     for s, o, g in zip(v, R35_OUTPUT.offsets, R35_OUTPUT.gains, strict=True)]
                    for v in dac_vectors]
    frames = [list(f) for f in codec.dac_frames]
    at = find_run(frames, expected_dac)
    assert at is not None, (frames[-12:], expected_dac)
    assert all(f == expected_dac[-1] for f in frames[at + len(expected_dac):])    # then held
