"""End to end in amaranth.sim: ADC vectors -> Datalogger gateware -> TX line (decoded here) -> host parser
gives back exactly the injected samples (or exactly the FIR reference of them when decimating)."""

from fractions import Fraction

import numpy as np
import pytest
from amaranth.sim import Simulator

from firmware_datalogger.fir import decimate_reference, design_coefficients
from firmware_datalogger.gateware import Datalogger
from firmware_datalogger.parser import FrameParser
from firmware_datalogger.rate_plan import plan

from .sim_util import decode_uart

PERIOD = 500            # clocks per codec sample in the testbench
DIVIDER = Fraction(25, 6)  # clocks per UART bit (fractional on purpose: 23.04 Mbaud)
CLOCK = 192_000 * PERIOD  # 96 MHz: 21.33 Mbaud is then exactly 4.5 clocks per bit


def _run(channels, decimation, vectors, taps=None, period=PERIOD, p=None, drain=3000):
    p = p or plan(channels=len(channels), codec_rate_hz=192_000, sample_rate_hz=192_000 // decimation,
             baud=int(CLOCK / DIVIDER), clock_hz=CLOCK, samples_per_frame=4, fir_taps=taps or 0)
    assert p.clocks_per_bit == DIVIDER
    coeffs = design_coefficients(decimation, taps=taps) if decimation > 1 else None
    dut = Datalogger(p, channels, coeffs=coeffs)
    trace = [1]
    overruns = []

    async def testbench(ctx):
        for vector in vectors:
            ctx.set(dut.adc.payload, [int(v) for v in vector])
            ctx.set(dut.adc.valid, 1)
            for cycle in range(period):
                *_, tx, overrun = await ctx.tick().sample(dut.tx, dut.overrun)
                trace.append(tx)
                overruns.append(overrun)
                if cycle == 0:
                    ctx.set(dut.adc.valid, 0)
        for _ in range(drain):
            *_, tx = await ctx.tick().sample(dut.tx)
            trace.append(tx)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    parser = FrameParser()
    frames = parser.feed(bytes(decode_uart(trace, DIVIDER)))
    if p.link_use <= 1:
        assert not any(overruns)
    return p, coeffs, frames, parser


def test_selected_channels_arrive_exactly():
    rng = np.random.default_rng(11)
    vectors = rng.integers(-32768, 32768, (24, 4))
    vectors[3] = [-32768, 32767, 0, -1]
    p, _, frames, parser = _run((2, 0), 1, vectors)
    assert [f.sequence for f in frames] == list(range(6))
    assert all(f.sample_rate_hz == 192_000 and f.overrun == 0 for f in frames)
    got = np.concatenate([f.samples for f in frames])
    assert np.array_equal(got, vectors[:, [2, 0]])
    assert parser.stats.lost_frames == 0 and parser.stats.crc_errors == 0


@pytest.mark.slow
def test_decimated_stream_equals_fir_reference():
    rng = np.random.default_rng(12)
    t = np.arange(48)
    vectors = rng.integers(-32768, 32768, (48, 4))
    vectors[:, 1] = (20000 * np.sin(2 * np.pi * t / 7)).astype(int)
    _, coeffs, frames, parser = _run((1, 3), 2, vectors, taps=15)
    got = np.concatenate([f.samples for f in frames])
    assert all(f.sample_rate_hz == 96_000 for f in frames)
    assert np.array_equal(got, decimate_reference(vectors[:, [1, 3]], coeffs, 2))
    assert parser.stats.lost_frames == 0


def test_overload_is_reported_never_silent():
    """Samples arriving faster than the link: the gateware drops vectors but reports each one in a frame
    header; the host sees the discontinuity, and received + reported == injected (up to one open frame)."""
    from dataclasses import replace

    ok = plan(channels=2, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=int(CLOCK / DIVIDER),
              clock_hz=CLOCK, samples_per_frame=4)
    overloaded = replace(ok, codec_rate_actual_hz=192_000 * PERIOD / 120)  # a vector every 120 clocks
    assert overloaded.link_use > 2
    vectors = np.arange(60 * 4).reshape(60, 4) * 7 - 800
    _, _, frames, parser = _run((0, 1), 1, vectors, period=120, p=overloaded, drain=60 * 400)
    received = np.concatenate([f.samples for f in frames])
    reported = sum(f.overrun for f in frames)
    assert reported > 0 and parser.stats.overrun_samples == reported
    assert any(f.discontinuity for f in frames)
    assert 0 <= len(vectors) - (len(received) + reported) < 4
    # What did arrive is in order and unaltered (a subsequence of the injected samples).
    index = [int(np.flatnonzero(vectors[:, 0] == r[0])[0]) for r in received]
    assert index == sorted(index) and np.array_equal(received, vectors[index][:, [0, 1]])
