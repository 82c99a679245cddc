"""Framer gateware: byte stream identical to the Python frame reference, sequence counting, overrun field."""

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
    drops_at = {4: 2, 9: 1}  # vector index -> dropped strobes sent while that vector is offered
    dut = Framer(channels, samples, 48000)
    out = []

    async def producer(ctx):
        for index, vector in enumerate(data):
            ctx.set(dut.i.payload, [int(v) for v in vector])
            ctx.set(dut.i.valid, 1)
            pulses = drops_at.get(index, 0)
            while True:
                ctx.set(dut.dropped, 1 if pulses > 0 else 0)
                pulses -= 1
                *_, ready = await ctx.tick().sample(dut.i.ready)  # sampled at the edge: no race
                if ready:
                    break
            ctx.set(dut.dropped, 0)
            ctx.set(dut.i.valid, 0)
            for _ in range(int(rng.integers(0, 4))):
                await ctx.tick()

    async def consumer(ctx):
        total = frames * protocol.frame_bytes(channels, samples)
        stall = np.random.default_rng(5)
        while len(out) < total:
            ctx.set(dut.o.ready, int(stall.random() < 0.7))
            *_, valid, ready, payload = await ctx.tick().sample(dut.o.valid, dut.o.ready, dut.o.payload)
            if valid and ready:
                out.append(payload)

    from amaranth.sim import Simulator
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    total = frames * protocol.frame_bytes(channels, samples)
    sim.run_until(1e-8 * 40 * total)  # bounded: a stuck framer fails instead of hanging

    # Where each drop lands: the header of frame f carries the drops seen since frame f-1's header began.
    # The drops are strobed while vector 4 / 9 is offered, i.e. after the header of the frame holding
    # that vector has started, so they show up in the following frame's header.
    overrun = [0] * frames
    for index, count in drops_at.items():
        frame = index // samples + 1
        if frame < frames:
            overrun[frame] += count
    expected = b"".join(protocol.encode_frame(data[f * samples:(f + 1) * samples], sample_rate_hz=48000,
                                              sequence=f, overrun=overrun[f]) for f in range(frames))
    assert len(out) == total
    assert bytes(out) == expected
