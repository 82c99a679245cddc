"""The datalogger's top level in simulation: AK4619 TDM model -> codec edge (EurorackPmod, boards/) ->
Datalogger -> TX line -> host parser. The decoded stream must contain exactly the calibrated samples of the
frames the model sent."""

import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from boards.eurorack_pmod import R35_INPUT, EurorackPmod
from boards.eurorack_pmod.tests.model import CodecTDMModel, I2CTargetModel
from firmware_datalogger.gateware.top import DataloggerTop
from firmware_datalogger.parser import FrameParser
from firmware_datalogger.rate_plan import plan

from .sim_util import decode_uart

AUDIO_HZ = 49_152_000
SYNC_HZ = 100_000_000
JACKS = 0b0000_0101          # inputs 0 and 2 plugged
CHANNELS = (2, 0)


def _cal(x, offset, gain):
    """docs/eurorack-pmod.md §8: clamp(((in - offset) * mult) >> 10, -32767, 32767), written out
    independently of boards/."""
    return max(-32767, min(32767, ((x - offset) * gain) >> 10))


def _s16(x):
    x &= 0xFFFF
    return x - 0x10000 if x & 0x8000 else x


@pytest.mark.slow
def test_codec_model_to_host_parser():
    pmod = EurorackPmod(audio_clk_hz=AUDIO_HZ, i2c_divider=4, power_up_delay_s=4e-6, settle_delay_s=1e-6,
                        retry_delay_s=4e-6, poll_interval_s=2e-6)
    p = plan(channels=2, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=20_000_000, clock_hz=SYNC_HZ,
             samples_per_frame=8)
    dut = DataloggerTop(None, p, CHANNELS, pmod=pmod)
    pads = dut.pads
    i2c = I2CTargetModel(scl_oe=pads.scl_oe, sda_oe=pads.sda_oe, scl_i=pads.scl_i, sda_i=pads.sda_i,
                         devices={0x10: {}, 0x18: {0x00: JACKS}})
    codec = CodecTDMModel(bick=pads.bick, lrck=pads.lrck, sdin1=pads.sdin1, sdout1=pads.sdout1)
    rng = random.Random(7)
    adc_frames = [[rng.getrandbits(24) << 8 for _ in range(4)] for _ in range(10)]
    adc_frames[3] = [0x7FFFFF00, 0x80000000, 0x80000000, 0xFFFFFF00]
    trace = [1]

    async def bench(ctx):
        for _ in range(40_000):
            if ctx.get(pmod.ready) and ctx.get(pmod.jacks) == JACKS:
                break
            *_, tx = await ctx.tick().sample(dut.tx)
            trace.append(tx)
        assert ctx.get(pmod.ready) == 1
        for f in adc_frames:
            codec.queue_adc(f)
        for _ in range(521 * 40):
            *_, tx = await ctx.tick().sample(dut.tx)
            trace.append(tx)

    sim = Simulator(dut)
    sim.add_clock(1 / AUDIO_HZ, domain="audio")
    sim.add_clock(1 / SYNC_HZ, domain="sync")
    sim.add_process(i2c.process)
    sim.add_process(codec.process)
    sim.add_testbench(bench)
    sim.run()

    parser = FrameParser()
    frames = parser.feed(bytes(decode_uart(trace, p.clocks_per_bit)))
    assert len(frames) >= 4 and parser.stats.lost_frames == 0 and parser.stats.crc_errors == 0
    assert [f.sequence for f in frames] == list(range(frames[0].sequence, frames[0].sequence + len(frames)))
    got = np.concatenate([f.samples for f in frames]).tolist()
    expected = [[_cal(_s16(f[ch] >> 16), R35_INPUT.offsets[ch], R35_INPUT.gains[ch]) for ch in CHANNELS]
                for f in adc_frames]
    assert any(got[i:i + len(expected)] == expected for i in range(len(got) - len(expected) + 1)), \
        (got[-40:], expected)
