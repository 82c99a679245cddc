"""Anti-alias FIR: the filter is a proper low-pass, the integer reference is a plain convolution, and the
gateware equals the reference sample for sample."""

import numpy as np
import pytest
from amaranth.sim import Simulator

from firmware_datalogger.fir import COEF_FRAC, decimate_reference, design_coefficients, frequency_response
from firmware_datalogger.gateware import DecimatingFIR

from .sim_util import ResetHarness


@pytest.mark.parametrize("decimation", [2, 4])
def test_design_is_an_anti_alias_lowpass(decimation):
    h = design_coefficients(decimation)
    assert sum(h) == 1 << COEF_FRAC                      # unity DC gain exactly
    assert h == h[::-1]                                  # linear phase
    passband = frequency_response(h, np.linspace(0, 0.4 / decimation, 500))
    stopband = frequency_response(h, np.linspace(0.5 / decimation, 0.5, 4000))
    assert np.max(np.abs(20 * np.log10(passband))) < 0.01
    assert 20 * np.log10(stopband.max()) < -72           # everything that would alias is >= 72 dB down


def test_reference_is_a_decimated_convolution():
    rng = np.random.default_rng(3)
    h = design_coefficients(3)
    x = rng.integers(-20000, 20000, (300, 2))
    expected = np.stack([np.convolve(x[:, c], h)[: len(x)] for c in range(2)], axis=1)  # y[n] = sum h[k] x[n-k]
    expected = np.clip(np.floor(expected / 2**COEF_FRAC + 0.5), -32768, 32767)[2::3]
    assert np.array_equal(decimate_reference(x, h, 3), expected.astype(np.int64))


def _simulate(fir: DecimatingFIR, x: np.ndarray, period: int, stall_seed: int | None):
    out = []
    n_out = len(x) // fir.decimation

    async def producer(ctx):
        for vector in x:
            ctx.set(fir.i.payload, [int(v) for v in vector])
            ctx.set(fir.i.valid, 1)
            *_, ready = await ctx.tick().sample(fir.i.ready)
            while not ready:
                *_, ready = await ctx.tick().sample(fir.i.ready)
            ctx.set(fir.i.valid, 0)
            for _ in range(period - 1):
                await ctx.tick()

    async def consumer(ctx):
        rng = np.random.default_rng(stall_seed) if stall_seed is not None else None
        while len(out) < n_out:
            ctx.set(fir.o.ready, 1 if rng is None else int(rng.random() < 0.05))
            *_, valid, ready, payload = await ctx.tick().sample(fir.o.valid, fir.o.ready, fir.o.payload)
            if valid and ready:
                out.append([int(v) for v in payload])

    sim = Simulator(fir)
    sim.add_clock(1e-8)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run_until(1e-8 * (len(x) * (period + 2) + 40 * n_out + 2000))
    return np.array(out, dtype=np.int64).reshape(-1, fir.channels)


def test_gateware_bit_exact_with_saturation():
    """Random data plus full-scale squares whose Gibbs overshoot must saturate, as in the reference."""
    rng = np.random.default_rng(7)
    h = design_coefficients(2, taps=31)
    x = rng.integers(-32768, 32768, (160, 3))
    x[40:120, 0] = np.where((np.arange(80) // 5) % 2, 32767, -32768)
    x[40:120, 1] = 32767
    fir = DecimatingFIR(3, 2, h)
    got = _simulate(fir, x, period=3 * 36 // 2 + 1, stall_seed=None)
    expected = decimate_reference(x, h, 2)
    assert (np.abs(expected) == 32767).any() or (expected == -32768).any()   # saturation was exercised
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)


def test_gateware_bit_exact_under_backpressure():
    """A slow consumer: the input is held off (never overwritten), results stay exact and in order."""
    rng = np.random.default_rng(8)
    h = design_coefficients(4, taps=15)
    x = rng.integers(-32768, 32768, (96, 2))
    got = _simulate(DecimatingFIR(2, 4, h), x, period=3, stall_seed=2)
    assert np.array_equal(got, decimate_reference(x, h, 4))


def test_history_is_cleared_by_reset():
    """After a reset the filter starts from silence (x = 0 before the first sample, as ``fir.py`` defines):
    the outputs equal the reference run on the post-reset samples alone, whatever came before."""
    rng = np.random.default_rng(9)
    h = design_coefficients(2, taps=15)
    before = rng.integers(-32768, 32768, (21, 2))   # odd: the reset also lands mid-decimation-phase
    after = rng.integers(-32768, 32768, (40, 2))
    fir = DecimatingFIR(2, 2, h)
    dut = ResetHarness(fir)
    outputs = {"before": [], "after": []}

    async def testbench(ctx):
        ctx.set(fir.o.ready, 1)
        for name, block in (("before", before), ("after", after)):
            for vector in block:
                ctx.set(fir.i.payload, [int(v) for v in vector])
                ctx.set(fir.i.valid, 1)
                await ctx.tick().until(fir.i.ready)
                ctx.set(fir.i.valid, 0)
                for _ in range(2 * 19 + 4):  # longer than one result takes (channels x (taps + 4))
                    *_, valid, payload = await ctx.tick().sample(fir.o.valid, fir.o.payload)
                    if valid:
                        outputs[name].append([int(v) for v in payload])
            if name == "before":
                ctx.set(dut.cd_sync.rst, 1)
                await ctx.tick()
                ctx.set(dut.cd_sync.rst, 0)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    assert np.array_equal(np.array(outputs["before"]), decimate_reference(before, h, 2))
    assert np.array_equal(np.array(outputs["after"]), decimate_reference(after, h, 2))
