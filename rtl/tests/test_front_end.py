"""FrontEnd in amaranth.sim against ``common.front_end``: every output vector equal, in order, with the
producer pausing and the consumer stalling at random (the state must move once per sample, and only then);
and its latency and initiation interval as ``rtl/plan.py`` states them."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from common.config import FixedFormat, FrontEndConfig, LayerConfig, ModelConfig
from common.front_end import network_inputs
from common.roles import jack_roles
from rtl.front_end import FrontEnd
from rtl.plan import FRONT_END_LATENCY, front_end_cycles


def _run(cfg: ModelConfig, jacks: np.ndarray, seed: int, *, valid_p=0.8, ready_p=0.7):
    """Outputs in order, and the cycles of every input and output transfer."""
    dut = FrontEnd(cfg)
    rng = np.random.default_rng(seed)
    got, taken, given = [], [], []

    async def producer(ctx):
        cycle = 0
        for vector in jacks:
            while True:
                valid = rng.random() < valid_p
                ctx.set(dut.i.valid, valid)
                ctx.set(dut.i.payload, [int(v) for v in vector])
                _, _, ready = await ctx.tick().sample(dut.i.ready)
                cycle += 1
                if valid and ready:
                    taken.append(cycle)
                    break
        ctx.set(dut.i.valid, 0)

    async def consumer(ctx):
        cycle = 0
        while len(got) < len(jacks):
            ready = rng.random() < ready_p
            ctx.set(dut.o.ready, ready)
            _, _, valid, payload = await ctx.tick().sample(dut.o.valid, dut.o.payload)
            cycle += 1
            if valid and ready:
                got.append([int(v) for v in payload])
                given.append(cycle)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    return np.array(got), taken, given


def _config(inputs, front_end, width=16):
    fmt = FixedFormat(width, width - 4)
    return ModelConfig(layers=[LayerConfig(1)], inputs=inputs, front_end=front_end, data_format=fmt,
                       weight_format=fmt)


def _stimulus(cfg: ModelConfig, n: int, rng) -> np.ndarray:
    """A slow noisy triangle (hysteresis, swings), a fast one, then full-scale jumps (saturation)."""
    fmt = cfg.data_format
    t = np.arange(n)
    core = (np.abs((t % 80) - 40) * 6 - 120 + rng.integers(-2, 3, size=n)).astype(np.int64)
    core[n // 2:3 * n // 4] = (np.abs((t[n // 2:3 * n // 4] % 12) - 6) * (fmt.max_int // 8) - fmt.max_int // 3)
    core[3 * n // 4:] = rng.choice([fmt.min_int, fmt.max_int, 0, 7], size=n - 3 * n // 4)
    roles = jack_roles(cfg.inputs)
    return np.stack([core if r == "core" else rng.integers(fmt.min_int, fmt.max_int + 1, size=n) for r in roles],
                    axis=1)


@pytest.mark.parametrize(("inputs", "front_end", "width"), [
    (("core", "e0", "e1", "direction", "slope", "level", "rate"), FrontEndConfig(), 16),
    (("slope", "direction", "core", "zero"), FrontEndConfig(direction_lag=1, direction_threshold=1, slope_shift=0), 16),
    (("rate", "core", "level", "e1"), FrontEndConfig(direction_lag=7, direction_threshold=5, span_floor=16,
                                                     rate_shift=3), 12),
    (("core", "level"), FrontEndConfig(direction_lag=2, span_floor=4096, rate_shift=0), 18),
])
def test_front_end_matches_the_golden_codes(inputs, front_end, width):
    cfg = _config(inputs, front_end, width)
    rng = np.random.default_rng(width)
    jacks = _stimulus(cfg, 400, rng)
    expected, _ = network_inputs(cfg, jacks)
    got, _, _ = _run(cfg, jacks, seed=width)
    assert got.shape == expected.shape
    assert np.array_equal(got, expected), np.argwhere(got != expected)[:5]
    for role in ("direction", "level"):  # the stimulus did reach both directions and the swing's extremes
        if role in inputs:
            column = expected[:, inputs.index(role)]
            assert (column > 0).any() and (column < 0).any()
    if "level" in inputs:
        assert (np.abs(expected[:, inputs.index("level")]) == cfg.data_format.max_int).any()  # saturated too


@pytest.mark.parametrize("inputs", [("core", "e0", "direction"), ("core", "level", "rate")])
def test_latency_and_interval_are_the_plan(inputs):
    """Offered every cycle and always taken: the first output comes FRONT_END_LATENCY cycles after its input
    and inputs are taken every front_end_cycles(config) cycles (one more quotient bit per cycle when it
    divides)."""
    cfg = _config(inputs, FrontEndConfig())
    jacks = _stimulus(cfg, 12, np.random.default_rng(3))
    got, taken, given = _run(cfg, jacks, seed=1, valid_p=1.0, ready_p=1.0)
    assert np.array_equal(got, network_inputs(cfg, jacks)[0])
    assert given[0] - taken[0] == FRONT_END_LATENCY
    assert set(np.diff(taken).tolist()) == {front_end_cycles(cfg)}
    # by hand: 6 cycles without division (5 stages and the output transfer); with it, the take, 5 stages up
    # to the divisor and K + 1 quotient bits, K = 16 + bit_length(512 - 1) = 25 -> 32
    assert front_end_cycles(cfg) == (32 if "level" in inputs else 6)
