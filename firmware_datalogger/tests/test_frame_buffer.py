"""FrameBuffer: only whole frames of consecutive vectors come out, each with the exact count of what was
discarded just before it; an upstream ``gap`` discards the incomplete frame and marks the count unknown."""

from amaranth.hdl import Fragment
from amaranth.sim import Simulator

from firmware_datalogger.gateware import FrameBuffer
from firmware_datalogger.protocol import OVERRUN_UNKNOWN

N = 4


def _run(arrivals, drain_every, gap_at=(), slack=2):
    """``arrivals``: number of vectors, one every 3 cycles (vector k holds [k, -k]). The consumer takes one
    vector every ``drain_every`` cycles. ``gap_at``: vector indices at which ``gap`` is raised instead of
    ``valid``. Returns the frames as (overrun, [vector indices])."""
    dut = FrameBuffer(2, N, slack=slack)
    taken = []

    async def producer(ctx):
        for k in range(arrivals):
            if k in gap_at:
                ctx.set(dut.gap, 1)
            else:
                ctx.set(dut.i.payload, [k, -k])
                ctx.set(dut.i.valid, 1)
            await ctx.tick()
            ctx.set(dut.gap, 0)
            ctx.set(dut.i.valid, 0)
            await ctx.tick().repeat(2)

    async def consumer(ctx):
        while True:
            ctx.set(dut.o.ready, 1)
            *_, valid, payload = await ctx.tick().sample(dut.o.valid, dut.o.payload)
            if valid:
                samples = [int(v) for v in payload.samples]
                assert samples[1] == -samples[0]
                taken.append((int(payload.overrun), samples[0]))
            if drain_every > 1:
                ctx.set(dut.o.ready, 0)
                await ctx.tick().repeat(drain_every - 1)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer, background=True)
    sim.run_until(1e-8 * (3 * arrivals + drain_every * arrivals + 100))
    assert len(taken) % N == 0, "only whole frames may come out"
    frames = [taken[i:i + N] for i in range(0, len(taken), N)]
    for frame in frames:
        assert len({overrun for overrun, _ in frame}) == 1  # one count per frame, on every vector
    return [(frame[0][0], [k for _, k in frame]) for frame in frames]


def test_fast_consumer_gets_every_vector_in_whole_frames():
    frames = _run(40, drain_every=1)
    assert frames == [(0, list(range(f * N, f * N + N))) for f in range(10)]


def test_overflow_discards_whole_frames_and_counts_them_before_the_next():
    """The consumer takes a vector every 10 cycles, the producer offers one every 3: the ring (8 vectors)
    overflows again and again. Every frame is consecutive and counts exactly the vectors missing before it."""
    frames = _run(120, drain_every=10)
    previous = -1
    for overrun, indices in frames:
        assert indices == list(range(indices[0], indices[0] + N))
        assert overrun == indices[0] - previous - 1
        previous = indices[-1]
    assert sum(overrun > 0 for overrun, _ in frames) >= 3


def test_upstream_gap_discards_the_incomplete_frame_and_marks_the_count_unknown():
    frames = _run(24, drain_every=1, gap_at={6})
    # Vectors 4 and 5 were collected for the second frame when the gap came: they go too.
    assert frames == [(0, [0, 1, 2, 3]), (OVERRUN_UNKNOWN, [7, 8, 9, 10]), (0, [11, 12, 13, 14]),
                      (0, [15, 16, 17, 18]), (0, [19, 20, 21, 22])]


def test_depth_covers_a_frame_and_the_slack():
    for (channels, n, slack), depth in {(2, 256, 16): 512, (4, 4, 2): 8, (1, 100, 28): 128}.items():
        buffer = FrameBuffer(channels, n, slack=slack)
        Fragment.get(buffer, None)  # elaborates
        assert buffer.depth == depth
