"""ShiftBuffer and ActivationCache against the golden ``RingCache``: random vectors (full scale
included) pushed once per sample, every (tap, channel) read in a random order, as ConvLayer reads them."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.hdl import Fragment
from amaranth.sim import Simulator

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.golden import RingCache
from rtl.activation_cache import READ_LATENCY as CACHE_LATENCY
from rtl.activation_cache import ActivationCache
from rtl.plan import cache_geometry
from rtl.shift_buffer import READ_LATENCY as SHIFT_LATENCY
from rtl.shift_buffer import ShiftBuffer


def _config(width: int) -> ModelConfig:
    fmt = FixedFormat(width, width - 4)
    return ModelConfig(layers=[LayerConfig(2)], data_format=fmt, weight_format=fmt)


def _check_history(cls, latency: int, *, width: int, channels: int, kernel_size: int, dilation: int,
                   samples: int, seed: int) -> None:
    cfg = _config(width)
    rng = np.random.default_rng(seed)
    fmt = cfg.data_format
    dut = cls(cfg, channels, kernel_size, dilation)
    golden = RingCache(channels, (kernel_size - 1) * dilation + 1)
    vectors = rng.integers(fmt.min_int, fmt.max_int + 1, size=(samples, channels))
    vectors[rng.random(vectors.shape) < 0.2] = fmt.min_int
    vectors[rng.random(vectors.shape) < 0.2] = fmt.max_int
    mismatches = []

    async def testbench(ctx):
        in_flight = []  # (cycle due, expected, where)
        cycle = 0

        async def tick():
            nonlocal cycle
            await ctx.tick()
            cycle += 1
            for _due, expected, where in [f for f in in_flight if f[0] == cycle]:
                got = ctx.get(dut.data)
                if got != expected:
                    mismatches.append(f"{where}: expected {expected}, got {got}")
            in_flight[:] = [f for f in in_flight if f[0] > cycle]

        while not ctx.get(dut.ready):  # clearing after reset
            await tick()
        assert cycle == dut.clear_cycles
        for t, vector in enumerate(vectors):
            ctx.set(dut.push.valid, 1)
            ctx.set(dut.push.payload, [int(v) for v in vector])
            golden.push(vector)
            await tick()
            ctx.set(dut.push.valid, 0)
            if cls is ActivationCache and kernel_size > 1:
                await tick()  # tap 0 of the pushed vector is readable from the second cycle on (as ConvLayer reads)
            reads = [(j, c) for j in range(kernel_size) for c in range(channels)]
            rng.shuffle(reads)
            for j, c in reads:
                ctx.set(dut.tap, j)
                ctx.set(dut.channel, c)
                in_flight.append((cycle + latency, int(golden.tap(j * dilation)[c]),
                                  f"sample {t} tap -{j}*{dilation} channel {c}"))
                await tick()
            for _ in range(latency):
                await tick()

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    assert not mismatches, mismatches[:5]


@pytest.mark.parametrize("channels,kernel_size,width", [(4, 4, 16), (3, 2, 18), (1, 3, 8)])
def test_shift_buffer_matches_ring_cache(channels, kernel_size, width):
    _check_history(ShiftBuffer, SHIFT_LATENCY, width=width, channels=channels, kernel_size=kernel_size,
                   dilation=1, samples=12, seed=channels)


@pytest.mark.parametrize("channels,kernel_size,dilation,width", [
    (4, 4, 4, 16), (3, 3, 2, 12), (5, 2, 3, 18), (2, 1, 1, 16), (1, 4, 1, 16),
])
def test_activation_cache_matches_ring_cache(channels, kernel_size, dilation, width):
    history = (kernel_size - 1) * dilation
    _check_history(ActivationCache, CACHE_LATENCY, width=width, channels=channels, kernel_size=kernel_size,
                   dilation=dilation, samples=2 * history + 6, seed=dilation)


def test_plan_cache_geometry_is_the_hardware_one():
    """The memory the plan reports is the memory the cache instantiates."""
    cfg = ModelConfig(layers=[LayerConfig(3, 4, 1), LayerConfig(5, 4, 4), LayerConfig(2, 3, 16)])
    for index in (1, 2):
        lc = cfg.layers[index]
        cache = ActivationCache(cfg, cfg.in_channels(index), lc.kernel_size, lc.dilation)
        Fragment.get(cache, None)
        kind, depth, bits = cache_geometry(cfg, index)
        assert kind == "block_ram" and depth == cache.depth > lc.history
        ram_words = depth << cache.channel_bits
        assert ram_words >= depth * cfg.in_channels(index)
        assert bits == ram_words * cfg.data_format.width
