"""End to end in amaranth.sim: ADC vectors -> Datalogger gateware -> TX line (decoded here) -> host parser
gives back exactly the injected samples (or exactly the FIR reference of them when decimating), and flags
a board reset as a restart."""

from fractions import Fraction

import numpy as np
import pytest
from amaranth.sim import Simulator

from firmware_datalogger.fir import decimate_reference, design_coefficients
from firmware_datalogger.gateware import Datalogger
from firmware_datalogger.parser import FrameParser
from firmware_datalogger.rate_plan import plan

from .sim_util import ResetHarness, decode_uart

PERIOD = 500            # clocks per codec sample in the testbench
DIVIDER = Fraction(25, 6)  # clocks per UART bit (fractional on purpose: 23.04 Mbaud)
CLOCK = 192_000 * PERIOD  # 96 MHz: 21.33 Mbaud is then exactly 4.5 clocks per bit


def _run(channels, decimation, vectors, taps=None, period=PERIOD, p=None, drain=3000, wire=None, slack=16,
         lost=None, samples_per_frame=4):
    """Simulate the Datalogger on ``vectors``, one every ``period`` clocks (or ``period[k]`` after vector k);
    ``wire`` receives the decoded bytes and ``lost`` one flag per vector (the ``overrun`` strobe)."""
    p = p or plan(channels=len(channels), codec_rate_hz=192_000, sample_rate_hz=192_000 // decimation,
                  baud=int(CLOCK / DIVIDER), clock_hz=CLOCK, samples_per_frame=samples_per_frame,
                  fir_taps=taps or 0)
    periods = [period] * len(vectors) if isinstance(period, int) else list(period)
    assert p.clocks_per_bit == DIVIDER
    coeffs = design_coefficients(decimation, taps=taps) if decimation > 1 else None
    dut = Datalogger(p, channels, coeffs=coeffs, slack=slack)
    trace = [1]
    overruns = []

    async def testbench(ctx):
        for vector, gap in zip(vectors, periods, strict=True):
            ctx.set(dut.adc.payload, [int(v) for v in vector])
            ctx.set(dut.adc.valid, 1)
            for cycle in range(gap):
                *_, tx, overrun = await ctx.tick().sample(dut.tx, dut.overrun)
                trace.append(tx)
                overruns.append(overrun)
                if cycle == 0:
                    ctx.set(dut.adc.valid, 0)
                    if lost is not None:
                        lost.append(bool(overrun))
        for _ in range(drain):
            *_, tx = await ctx.tick().sample(dut.tx)
            trace.append(tx)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    data = bytes(decode_uart(trace, DIVIDER))
    if wire is not None:
        wire.extend(data)
    parser = FrameParser()
    frames = parser.feed(data)
    if p.link_use <= 1 and lost is None:  # a plan that holds loses nothing
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


def _injected_index(vectors, received):
    """Index in ``vectors`` of each received sample (the test's column 0 values are all distinct)."""
    where = {int(v): i for i, v in enumerate(vectors[:, 0])}
    index = [where[int(r[0])] for r in received]
    assert np.array_equal(received, vectors[index][:, [0, 1]])  # unaltered
    return index


def test_overload_flags_exactly_the_frames_after_each_gap(tmp_path):
    """Samples arriving faster than the link: the gateware must drop some. Every frame it sends is then a
    contiguous run of the injected samples, and its header's overrun count is exactly the number of samples
    missing between the previous frame's last sample and its own first one (so only frames that follow a
    gap are flagged). The capture tool, fed the same bytes, never writes two non-adjacent samples next to
    each other in one WAV, and its manifest records every gap with the samples lost."""
    import json
    import wave
    from dataclasses import replace

    from firmware_datalogger.capture import capture

    ok = plan(channels=2, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=int(CLOCK / DIVIDER),
              clock_hz=CLOCK, samples_per_frame=4)
    overloaded = replace(ok, codec_rate_actual_hz=192_000 * PERIOD / 120)  # a vector every 120 clocks
    assert overloaded.link_use > 2
    vectors = np.arange(60 * 4).reshape(60, 4) * 7 - 800
    wire = []
    # A small buffer (8 vectors: two frames) so that 60 vectors overflow it several times.
    _, _, frames, parser = _run((0, 1), 1, vectors, period=120, p=overloaded, drain=60 * 400, wire=wire, slack=2)
    index = [_injected_index(vectors, f.samples) for f in frames]
    assert [f.sequence for f in frames] == list(range(len(frames))) and parser.stats.lost_frames == 0
    previous_last = -1
    for f, idx in zip(frames, index, strict=True):
        assert idx == list(range(idx[0], idx[0] + len(idx))), f"frame {f.sequence} is not contiguous: {idx}"
        assert f.overrun == idx[0] - previous_last - 1, (f.sequence, f.overrun, idx[0], previous_last)
        assert f.discontinuity == (f.sequence > 0 and f.overrun > 0)
        previous_last = idx[-1]
    assert sum(f.overrun > 0 for f in frames) >= 3          # the overload really produced several gaps
    # Up to the last frame, every injected vector was either received or counted. (Vectors after it can only
    # be reported by a later frame's header, and the simulation stops sending.)
    assert previous_last + 1 == len(frames) * 4 + parser.stats.overrun_samples

    class _Port:
        def __init__(self, data):
            self.chunks, self.in_waiting = [data[i:i + 97] for i in range(0, len(data), 97)], 97

        def read(self, n):
            if not self.chunks:
                raise KeyboardInterrupt  # end of the recording: saves what arrived
            return self.chunks.pop(0)

    out = tmp_path / "overload"
    result = capture("sim", 10.0, out, roles=("core", "sine"), serial_port=_Port(bytes(wire)), progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [e["path"] for e in manifest["files"]] == [p.name for p in result.files]
    gaps_recorded, previous_end = 0, None
    for entry in manifest["files"]:
        with wave.open(str(out / entry["path"]), "rb") as w:
            got = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2).astype(np.int64)
        idx = _injected_index(vectors, got)
        assert idx == list(range(idx[0], idx[0] + len(idx))), f"{entry['path']} splices across a gap: {idx}"
        if "gap_before" in entry:
            gaps_recorded += 1
            assert previous_end is not None
            assert entry["gap_before"]["lost_samples"] == idx[0] - previous_end - 1
        previous_end = idx[-1]
    assert gaps_recorded == len(manifest["files"]) - 1 >= 1


@pytest.mark.slow
def test_fir_that_misses_an_input_never_splices_around_it():
    """A burst of codec vectors faster than the FIR can take (its budget broken for a moment): the refused
    inputs are lost, so every output whose taps would reach across them is discarded too, and the frame
    after the hole carries the 'unknown' overrun count. Every output that arrives is the filter of
    consecutive inputs only: equal to the reference filter run on the accepted inputs, at a place where those
    are consecutive codec samples."""
    from firmware_datalogger.protocol import OVERRUN_UNKNOWN

    rng = np.random.default_rng(13)
    taps, decimation = 15, 2
    vectors = rng.integers(-20000, 20000, (160, 4))
    periods = [120] * len(vectors)
    periods[60:66] = [2] * 6        # six vectors two clocks apart: the FIR (2 x 19 clocks per output) refuses some
    lost = []
    _, coeffs, frames, parser = _run((0, 3), decimation, vectors, taps=taps, period=periods, lost=lost,
                                     samples_per_frame=8, drain=6000)
    refused = [k for k, flag in enumerate(lost) if flag]
    assert refused and all(60 < k <= 66 for k in refused)  # vectors 61..66 follow their predecessor closely
    accepted = [k for k in range(len(vectors)) if k not in refused]
    reference = decimate_reference(vectors[accepted][:, [0, 3]], coeffs, decimation)
    # Output j is computed when accepted input (j+1)R-1 arrives, from the taps accepted inputs ending there.
    clean = [j for j in range(len(reference))
             if (lambda window: window == list(range(window[0], window[0] + len(window))))(
                 [accepted[i] for i in range(max(0, (j + 1) * decimation - taps), (j + 1) * decimation)])]
    assert [f.overrun for f in frames].count(OVERRUN_UNKNOWN) == 1
    at = 0
    for f in frames:
        if f.overrun == OVERRUN_UNKNOWN:
            assert f.discontinuity
            at = next(j for j in range(at, len(reference)) if np.array_equal(reference[j:j + 8], f.samples))
        else:
            assert f.overrun == 0
        assert np.array_equal(reference[at:at + 8], f.samples) and set(range(at, at + 8)) <= set(clean)
        at += 8
    assert parser.stats.lost_frames == 0 and len(frames) >= 8


def test_reset_right_after_frame_0_with_silent_inputs_is_flagged():
    """The board sends frame 0 with its inputs silent, is reset once the frame is out, then records two more
    silent frames. The new boot's frame 0 carries the same samples and sequence number as the old one, but
    another boot identifier: the parser keeps all three frames and flags the second as a restart."""
    p = plan(channels=2, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=int(CLOCK / DIVIDER), clock_hz=CLOCK,
             samples_per_frame=4)
    logger = Datalogger(p, (0, 1))
    dut = ResetHarness(logger)
    trace = [1]

    async def testbench(ctx):
        for boot, frames in enumerate((1, 2)):
            if boot:
                ctx.set(dut.cd_sync.rst, 1)
                for _ in range(3):
                    *_, tx = await ctx.tick().sample(logger.tx)
                    trace.append(tx)
                ctx.set(dut.cd_sync.rst, 0)
            for _ in range(4 * frames):
                ctx.set(logger.adc.payload, [0, 0, 0, 0])
                ctx.set(logger.adc.valid, 1)
                for _ in range(PERIOD):
                    *_, tx = await ctx.tick().sample(logger.tx)
                    trace.append(tx)
                    ctx.set(logger.adc.valid, 0)
            for _ in range(3000):  # the last frame goes out (36 bytes, 150 clocks each)
                *_, tx = await ctx.tick().sample(logger.tx)
                trace.append(tx)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    parser = FrameParser()
    frames = parser.feed(bytes(decode_uart(trace, DIVIDER)))
    assert [(f.sequence, f.boot) for f in frames] == [(0, 0), (0, 1), (1, 1)]
    assert all(not f.samples.any() for f in frames)
    assert [f.discontinuity for f in frames] == [False, True, False] and frames[1].restart
    assert parser.stats.restarts == 1 and parser.stats.crc_errors == 0 and parser.stats.bytes_skipped == 0
