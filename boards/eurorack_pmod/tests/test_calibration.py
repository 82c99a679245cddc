"""Calibration against a Python reference: random and full-scale values, saturation, gating."""

from __future__ import annotations

import random

import pytest
from amaranth.sim import Simulator

from ..calibration import R35_INPUT, R35_OUTPUT, Calibration, CalibrationConstants


def reference(x, offset, gain, limit, gate):
    """docs/eurorack-pmod.md §8: clamp(((in - offset) * mult) >>> 10, -limit, +limit); 0 when gated off."""
    if not gate:
        return 0
    y = ((x - offset) * gain) >> 10        # Python >> on ints is an arithmetic (floor) shift
    return max(-limit, min(limit, y))


def run_cal(constants, vectors, gates, *, limit=32767, seed=0):
    dut = Calibration(constants, limit=limit)
    rng = random.Random(seed)
    got = []

    async def source(ctx):
        for vec, gate in zip(vectors, gates, strict=True):
            ctx.set(dut.i.payload, vec)
            ctx.set(dut.gate, gate)
            ctx.set(dut.i.valid, 1)
            await ctx.tick().until(dut.i.ready)
            ctx.set(dut.i.valid, 0)
            for _ in range(rng.randrange(3)):
                await ctx.tick()

    async def sink(ctx):
        while len(got) < len(vectors):
            ready = rng.random() < 0.6
            ctx.set(dut.o.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(dut.o.valid, dut.o.payload)
            if valid and ready:
                got.append([payload[i] for i in range(4)])

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(source)
    sim.add_testbench(sink)
    sim.run()
    return got


EXTREMES = [-32768, -32767, -1, 0, 1, 32766, 32767]


def make_vectors(rng, n):
    vecs = [[rng.randrange(-32768, 32768) for _ in range(4)] for _ in range(n)]
    vecs += [[rng.choice(EXTREMES) for _ in range(4)] for _ in range(n // 2)]
    return vecs


@pytest.mark.parametrize("name,constants", [
    ("r35_input", R35_INPUT),
    ("r35_output", R35_OUTPUT),
    ("wild", CalibrationConstants((-32768, 32767, 4400, -600), (131071, -131072, 1620, -1)))])
def test_matches_reference(name, constants):
    rng = random.Random(name)
    vectors = make_vectors(rng, 40)
    gates = [0b1111] * len(vectors)
    got = run_cal(constants, vectors, gates, seed=len(name))
    expected = [[reference(x, o, g, 32767, 1) for x, o, g in zip(v, constants.offsets, constants.gains, strict=True)]
                for v in vectors]
    assert got == expected
    flat = [y for v in got for y in v]
    assert max(flat) <= 32767 and min(flat) >= -32767


def test_saturates_never_wraps_and_gates():
    constants = CalibrationConstants((0, 0, 100, -100), (4096, -4096, 2048, 1024))    # gains 4, -4, 2, 1
    vectors = [[32767, 32767, 32767, -32768], [-32768, -32768, -32768, 32767], [9000, -9000, 20000, 0],
               [8191, 8192, -16384, 5]]
    gates = [0b1111, 0b0101, 0b1010, 0b1111]
    got = run_cal(constants, vectors, gates, limit=32000)
    assert got[0] == [32000, -32000, 32000, -32000]
    assert got[1] == [-32000, 0, -32000, 0]
    assert got[2] == [0, 32000, 0, 100]
    assert got[3] == [reference(x, o, g, 32000, 1) for x, o, g in zip(vectors[3], constants.offsets,
                                                                         constants.gains, strict=True)]


def test_default_constants_follow_hardware_md():
    # R3.5 (Tiliqua affine form, docs/eurorack-pmod.md §8): inputs y = -1.248 x - 0.03 (x 32768), outputs y = 0.90 x.
    assert R35_INPUT.gains == (-1278,) * 4 and R35_INPUT.offsets == (-788,) * 4
    assert R35_OUTPUT.gains == (922,) * 4 and R35_OUTPUT.offsets == (0,) * 4
    # The conversion keeps the affine map within 1 count over the range.
    for x in (-30000, 0, 30000):
        assert abs(reference(x, -788, -1278, 10**9, 1) - (-1.248 * x - 0.03 * 32768)) < 1 + abs(x) * 0.0001


def test_rejects_bad_constants():
    with pytest.raises(ValueError, match=r"^need 4 offsets and 4 gains, got 3 and 3$"):
        CalibrationConstants((0, 0, 0), (1024,) * 3)
    with pytest.raises(ValueError, match=r"^calibration offset 40000 outside int16$"):
        CalibrationConstants((0, 0, 0, 40000), (1024,) * 4)
    with pytest.raises(ValueError, match=r"^calibration gain 131072 outside signed 18-bit$"):
        CalibrationConstants((0,) * 4, (1 << 17,) * 4)
