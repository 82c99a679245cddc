"""Framer gateware: byte stream identical to the Python frame reference, sequence counting, and the overrun
field taken from the frame's own vectors (the header waits for the frame)."""

import numpy as np
import pytest

from firmware_datalogger import protocol
from firmware_datalogger.gateware import Framer


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

    from amaranth.sim import Simulator
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
