"""FrontEnd in amaranth.sim against ``common.front_end``: every transferred vector equal, with the
consumer stalling at random (state must only move on a transfer) and the producer pausing."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from common.config import FixedFormat, FrontEndConfig, LayerConfig, ModelConfig
from common.front_end import network_inputs
from common.roles import jack_roles
from rtl.front_end import FrontEnd


def _run(cfg: ModelConfig, jacks: np.ndarray, seed: int) -> np.ndarray:
    dut = FrontEnd(cfg)
    rng = np.random.default_rng(seed)
    got = []

    async def testbench(ctx):
        t = 0
        while t < len(jacks):
            valid = rng.random() < 0.8
            ready = rng.random() < 0.7
            ctx.set(dut.i.valid, valid)
            ctx.set(dut.i.payload, [int(v) for v in jacks[t]])
            ctx.set(dut.o.ready, ready)
            await ctx.delay(1e-9)
            assert ctx.get(dut.o.valid) == valid and ctx.get(dut.i.ready) == ready
            if valid and ready:
                got.append([int(v) for v in ctx.get(dut.o.payload)])
                t += 1
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()
    return np.array(got)


@pytest.mark.parametrize(("inputs", "front_end", "width"), [
    (("core", "e0", "e1", "direction", "slope"), FrontEndConfig(), 16),
    (("slope", "direction", "core", "zero"), FrontEndConfig(direction_lag=1, direction_threshold=1, slope_shift=0), 16),
    (("core", "direction", "slope", "e1"), FrontEndConfig(direction_lag=7, direction_threshold=5, slope_shift=9), 12),
])
def test_front_end_matches_the_golden_codes(inputs, front_end, width):
    fmt = FixedFormat(width, width - 4)
    cfg = ModelConfig(layers=[LayerConfig(1)], inputs=inputs, front_end=front_end, data_format=fmt,
                      weight_format=fmt)
    rng = np.random.default_rng(width)
    n = 400
    # a slow triangle with noise (hysteresis at work), then full-scale jumps (saturated slopes)
    t = np.arange(n)
    core = (np.abs((t % 80) - 40) * 6 - 120 + rng.integers(-2, 3, size=n)).astype(np.int64)
    core[300:] = rng.choice([fmt.min_int, fmt.max_int, 0], size=100)
    roles = jack_roles(inputs)
    jacks = np.stack([core if r == "core" else rng.integers(fmt.min_int, fmt.max_int + 1, size=n) for r in roles],
                     axis=1)
    expected, _ = network_inputs(cfg, jacks)
    got = _run(cfg, jacks, seed=width)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected), np.argwhere(got != expected)[:5]
    if "direction" in inputs:  # the stimulus did exercise both directions
        d = expected[:, inputs.index("direction")]
        assert (d > 0).any() and (d < 0).any()
