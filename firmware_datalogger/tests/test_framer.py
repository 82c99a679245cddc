"""Framer gateware: byte stream identical to the Python frame reference, sequence counting, the overrun
field taken from the frame's own vectors (the header waits for the frame), and a boot identifier that every
reset advances while the sequence starts again at 0."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from firmware_datalogger import protocol
from firmware_datalogger.gateware import Framer

from .sim_util import ResetHarness


@pytest.mark.parametrize("channels,samples", [(2, 5), (4, 3), (1, 1)])
def test_frames_match_reference(channels, samples):
    rng = np.random.default_rng(channels * 10 + samples)
    frames = 3
    data = rng.integers(-32768, 32768, (frames * samples, channels))
    data[0] = -32768
    data[1 % len(data)] = 32767
    overrun = [3, 0, protocol.OVERRUN_UNKNOWN]  # per frame, as the FrameBuffer hands them over
    idle = 50  # nothing to send at first: the header must wait for the first frame
    dut = Framer(channels, samples, 48000)
    out = []
    first_byte = []

    async def producer(ctx):
        for _ in range(idle):
            await ctx.tick()
        for index, vector in enumerate(data):
            ctx.set(dut.i.payload, {"samples": [int(v) for v in vector], "overrun": overrun[index // samples]})
            ctx.set(dut.i.valid, 1)
            await ctx.tick().until(dut.i.ready)
            ctx.set(dut.i.valid, 0)
            for _ in range(int(rng.integers(0, 4))):
                await ctx.tick()

    cycle = [0]

    async def consumer(ctx):
        total = frames * protocol.frame_bytes(channels, samples)
        stall = np.random.default_rng(5)
        while len(out) < total:
            ctx.set(dut.o.ready, int(stall.random() < 0.7))
            *_, valid, ready, payload = await ctx.tick().sample(dut.o.valid, dut.o.ready, dut.o.payload)
            cycle[0] += 1
            if valid and ready:
                first_byte[:] = first_byte or [cycle[0]]
                out.append(payload)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    total = frames * protocol.frame_bytes(channels, samples)
    sim.run_until(1e-8 * 40 * total)  # bounded: a stuck framer fails instead of hanging

    expected = b"".join(protocol.encode_frame(data[f * samples:(f + 1) * samples], sample_rate_hz=48000,
                                              sequence=f, overrun=overrun[f]) for f in range(frames))
    assert len(out) == total
    assert bytes(out) == expected
    assert first_byte[0] > idle


def test_reset_restarts_the_sequence_and_advances_the_boot_identifier():
    """Silent frames (all samples 0) around two resets, each held for a few cycles: the sequence starts
    again at 0 after each, and the boot identifier is 0 before the first reset, 1 after it and 2 after the
    second, so the new boot's frame 0 is never byte-identical to the old boot's."""
    channels, samples = 2, 3
    framer = Framer(channels, samples, 48000)
    dut = ResetHarness(framer)
    frames_per_boot = (1, 2, 1)
    out = []

    async def testbench(ctx):
        ctx.set(framer.o.ready, 1)
        for boot, count in enumerate(frames_per_boot):
            if boot:
                ctx.set(dut.cd_sync.rst, 1)
                for _ in range(3):
                    await ctx.tick()
                ctx.set(dut.cd_sync.rst, 0)
            ctx.set(framer.i.payload, {"samples": [0] * channels, "overrun": 0})
            ctx.set(framer.i.valid, 1)
            total = len(out) + count * protocol.frame_bytes(channels, samples)
            for _ in range(40 * total):
                *_, valid, payload = await ctx.tick().sample(framer.o.valid, framer.o.payload)
                if valid:
                    out.append(payload)
                if len(out) == total:
                    break
            ctx.set(framer.i.valid, 0)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()

    silent = np.zeros((samples, channels), np.int16)
    expected = b"".join(protocol.encode_frame(silent, sample_rate_hz=48000, sequence=seq, boot=boot)
                        for boot, count in enumerate(frames_per_boot) for seq in range(count))
    assert bytes(out) == expected
