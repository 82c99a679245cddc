"""The whole top level in simulation: codec TDM frames in (the AK4619 model,
``boards/eurorack_pmod/tests/model.py``) -> TDM deserialiser -> CDC -> input calibration -> input scaling ->
Waveshaper -> output scaling -> output calibration -> CDC -> TDM frames out, bit-exact against
``quantize.golden.run_waveshaper`` after the documented scaling, at the ECPIX-5's real PLL clocks, the
network in its own clock domain as on the board. Jack 2 is reported unplugged, so e1 reads 0 (the (0,0)
side). Each result must be heard exactly in the codec frame the plan's latency predicts
(:func:`planned_frame_delay`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from amaranth.sim import Simulator

from bitstream.plan import plan_for_board
from bitstream.top import NetworkTop, dry_fifo_depth
from boards.audio_edge.network_domain import CROSSING_CYCLES
from boards.eurorack_pmod.calibration import R35_INPUT, R35_OUTPUT
from boards.eurorack_pmod.pmod import EurorackPmod
from boards.eurorack_pmod.tests.helpers import cal, find_run, to_s16
from boards.eurorack_pmod.tests.model import CodecTDMModel, I2CTargetModel
from boards.registry import get_board
from quantize.weights import random_network
from rtl.waveshaper import Waveshaper

from .helpers import expected_dac, small_config

JACKS = 0b0011_0011  # inputs 0 and 1 plugged (core wave, e0), input 2 (e1) unplugged; outputs 0 and 1

# Cycle counts of the blocks between the codec pins, from their documentation (not measured here):
#: TDMCodec: SDOUT1's bit b is in the input register during cycle 2b + 2 + offset of the frame; the last kept
#: bit is bit 15 of slot 3 (b = 3 * 32 + 15 = 111), so the ADC vector is valid from cycle 224 + offset + 1.
ADC_VALID_CYCLE = 2 * (3 * 32 + 15) + 2 + 1
#: TDMCodec latches the DAC vector in the frame's last cycle (count 255) and shifts it out in the next frame.
DAC_LATCH_CYCLE = 255
FRAME_CYCLES = 256
#: Calibration: the accepting cycle, then DIFF, MUL, STORE for each of the 4 channels: valid 13 cycles later.
CALIBRATION_CYCLES = 1 + 3 * 4
#: Input and output scaler: ACCEPT, SATURATE, then OFFER (valid) two cycles after the accepting one.
SCALER_CYCLES = 2
#: An AsyncFIFO (2-FF synchronisers) makes a written word readable 2-3 destination cycles after the write,
#: plus up to one cycle of phase between the clocks: bounds, generous on both sides.
CDC_CYCLES = (1, 5)


def planned_frame_delay(plan, board, sdout_sample_offset: int) -> int:
    """Codec frames from the one whose ADC word carries a sample to the one whose DAC word carries its result
    (``CodecTDMModel.sent[i]`` -> ``dac_frames[i + delay]``): the result must reach the TDM block by the
    latch at the end of a frame and is sent in the next one. The network's latency and the crossing into its
    domain count in network cycles, the crossing back in sync cycles. The lower and the upper CDC bounds
    must give the same answer."""
    audio_per_sync = float(board.pll.audio_hz / board.pll.sync_hz)
    sync_per_network = float(board.pll.sync_hz / board.pll.network_hz)
    delays = set()
    for cdc, crossing in zip(CDC_CYCLES, CROSSING_CYCLES, strict=True):
        network_cycles = crossing + plan.signal_path_latency
        sync_cycles = cdc + CALIBRATION_CYCLES + SCALER_CYCLES + network_cycles * sync_per_network + crossing + \
            SCALER_CYCLES + CALIBRATION_CYCLES
        ready = ADC_VALID_CYCLE + sdout_sample_offset + sync_cycles * audio_per_sync + cdc
        late_frames = max(0, math.ceil((ready - DAC_LATCH_CYCLE) / FRAME_CYCLES))
        delays.add(1 + late_frames)
    assert len(delays) == 1, f"the plan puts the result too close to a frame boundary to predict: {delays}"
    return delays.pop()


@pytest.mark.slow
@pytest.mark.parametrize("io_registers", [True, False], ids=["io-flip-flops", "plain-pins"])
def test_top_level_bit_exact(io_registers):
    board = get_board("ecpix5")
    cfg = small_config()
    net = random_network(cfg, np.random.default_rng(11), scale=0.2)
    plan = plan_for_board(cfg, board)
    pmod = EurorackPmod(audio_clk_hz=round(float(board.pll.audio_hz)), i2c_divider=4, power_up_delay_s=4e-6,
                        settle_delay_s=1e-6, retry_delay_s=4e-6, poll_interval_s=2e-6,
                        sdout_sample_offset=2 if io_registers else 0)
    assert board.has_network_clock and plan.clock_hz == int(board.network_clock_hz)
    top = NetworkTop(cfg, Waveshaper(net, plan), pmod=pmod, dry_depth=dry_fifo_depth(plan, network_domain=True),
                     io_registers=io_registers, network_domain=True)
    pads = top.pads  # the models sit on the pads, behind the I/O flip-flops when the board has them
    i2c = I2CTargetModel(scl_oe=pads.scl_oe, sda_oe=pads.sda_oe, scl_i=pads.scl_i, sda_i=pads.sda_i,
                         devices={0x10: {}, 0x18: {0x00: JACKS}})
    codec = CodecTDMModel(bick=pads.bick, lrck=pads.lrck, sdin1=pads.sdin1, sdout1=pads.sdout1)
    rng = np.random.default_rng(12)
    frames = [[int(w) << 8 for w in rng.integers(0, 1 << 24, size=4)] for _ in range(20)]
    frames[3] = [0x7FFFFF00, 0x80000000, 0x00000000, 0xFFFFFF00]
    tapped = []  # calibrated vectors entering the audio path (sync domain)
    state = {}

    async def tap(ctx):
        port = top.audio_path.adc
        async for _, _, valid, ready, payload in ctx.tick("sync").sample(port.valid, port.ready, port.payload):
            if valid and ready:
                tapped.append([int(payload[i]) for i in range(4)])

    async def bench(ctx):
        for _ in range(40_000):
            if ctx.get(pmod.ready) and ctx.get(pmod.jacks) == JACKS:
                break
            await ctx.tick("sync")
        assert ctx.get(pmod.ready) == 1 and ctx.get(pmod.jacks) == JACKS
        state["tap_start"] = len(tapped)
        for f in frames:
            codec.queue_adc(f)
        for _ in range(40_000):
            if len(codec.dac_frames) > state.setdefault("dac_start", len(codec.dac_frames)) + len(frames) + 8:
                break
            await ctx.tick("sync")
        assert ctx.get(pmod.error) == 0

    sim = Simulator(top)
    sim.add_clock(1 / float(board.pll.audio_hz), domain="audio")
    sim.add_clock(1 / float(board.pll.sync_hz), domain="sync")
    sim.add_clock(1 / float(board.pll.network_hz), domain="network")
    sim.add_process(i2c.process)
    sim.add_process(codec.process)
    sim.add_testbench(tap, background=True)
    sim.add_testbench(bench)
    sim.run()

    # 1. TDM in + input calibration: the queued frames arrive calibrated, jack 2 (unplugged) reads 0.
    expected_adc = [[cal(to_s16(w >> 16), o, g) if JACKS >> ch & 1 else 0
                     for ch, (w, o, g) in enumerate(zip(f, R35_INPUT.offsets, R35_INPUT.gains, strict=True))]
                    for f in frames]
    at = find_run(tapped[state["tap_start"]:], expected_adc)
    assert at is not None, (tapped[state["tap_start"]:], expected_adc)

    # 2. Everything the network saw since reset (its caches start cleared there) -> golden -> scaling ->
    #    output calibration -> 16-bit sample at the top of each 32-bit DAC slot.
    seen = np.array(tapped, dtype=np.int64)
    dac = expected_dac(net, seen)
    assert np.all(seen[:, 2] == 0)
    expected_frames = [[(cal(int(s), o, g) & 0xFFFF) << 16
                        for s, o, g in zip(v, R35_OUTPUT.offsets, R35_OUTPUT.gains, strict=True)] for v in dac]
    start = state["tap_start"] + at
    wanted = expected_frames[start:start + len(frames)]
    got = [list(f) for f in codec.dac_frames]
    # 3. At the planned latency: the model receives frame i's result in dac_frames[i + delay] (it appends one
    #    entry to sent and to dac_frames per frame, from the same first frame).
    delay = planned_frame_delay(plan, board, pmod.sdout_sample_offset)
    where = codec.sent.index(tuple(frames[0])) + delay
    assert got[where:where + len(frames)] == wanted, (find_run(got, wanted), where, delay)
    # Nothing lost or repeated in between: the frames before the queued ones match the history too.
    before = expected_frames[max(0, start - 5):start]
    assert got[where - len(before):where] == before
    assert len({tuple(f) for f in wanted}) > len(frames) // 2  # a varied stretch, not a held value
