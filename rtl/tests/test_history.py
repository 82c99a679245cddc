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
                   samples: int, seed: int, **options) -> None:
    cfg = _config(width)
    rng = np.random.default_rng(seed)
    fmt = cfg.data_format
    dut = cls(cfg, channels, kernel_size, dilation, **options)
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


@pytest.mark.parametrize("channels,kernel_size,dilation,width,bank_words,banks", [
    (4, 4, 4, 16, 8, 8),     # 16 slots x 4 channels: two slots per bank
    (3, 3, 2, 12, 4, 8),     # 8 slots x 4 words (3 channels): a bank is one slot, its last word unused
    (5, 2, 3, 18, 2, 16),    # 4 slots x 8 words: a slot spans four banks
])
def test_a_history_split_into_banks_matches_ring_cache(channels, kernel_size, dilation, width, bank_words, banks):
    """The same reads and pushes through a RAM split into banks of a few words (on the boards: one block RAM
    each), so that reads, writes and the clearing cross every bank boundary."""
    cache = ActivationCache(_config(width), channels, kernel_size, dilation, bank_words=bank_words)
    assert (cache.banks, cache.bank_words) == (banks, bank_words)
    history = (kernel_size - 1) * dilation
    _check_history(ActivationCache, CACHE_LATENCY, width=width, channels=channels, kernel_size=kernel_size,
                   dilation=dilation, samples=2 * history + 6, seed=banks, bank_words=bank_words)


@pytest.mark.parametrize("bank_words", [0, 1, 3, 1000])
def test_bank_size_must_be_a_power_of_two(bank_words):
    with pytest.raises(ValueError, match=rf"bank_words: must be a power of two of at least 2, got {bank_words}"):
        ActivationCache(_config(16), 4, 4, 4, bank_words=bank_words)


def test_every_block_ram_of_the_largest_history_has_registers_of_its_own():
    """The ECPIX-5 network's last layer: a 1024-slot history of 64 channels is 64 block RAMs; each is a
    memory of its own whose address, data and enable pins are driven by registers of its own (never by
    another bank's), named ``*_replica`` where the copies share an input, so the synthesis keeps them."""
    import re

    from amaranth.back import rtlil

    from common.config import load_config

    cfg = load_config("configs/ecpix5.toml")
    lc = cfg.layers[4]
    cache = ActivationCache(cfg, cfg.in_channels(4), lc.kernel_size, lc.dilation)
    assert (cache.banks, cache.bank_words) == (64, 1024)
    text = rtlil.convert(cache, ports=[cache.tap, cache.channel, cache.data, cache.ready, cache.push.valid,
                                       cache.push.payload.as_value()])
    pins = {}  # (memory, port kind, pin) -> the signals driving it
    for port in re.finditer(r"cell \$(memrd|memwr)_v2 \S+\n((?:    .*\n)+?)  end", text):
        kind, body = port[1], port[2]
        memory = re.search(r'MEMID "\\\\(\w+)"', body)[1]
        for pin in ("ADDR", "DATA", "EN") if kind == "memwr" else ("ADDR",):
            line = re.search(rf"connect \\{pin} (.*)", body)[1]
            pins[(memory, kind, pin)] = set(re.findall(r"\\(\w+)", line))
    assert {memory for memory, _, _ in pins} == {f"ram{b}" for b in range(64)}
    for b in range(64):
        assert pins[(f"ram{b}", "memrd", "ADDR")] == {f"bank{b}_read_address_replica"}
        assert pins[(f"ram{b}", "memwr", "ADDR")] == {f"bank{b}_write_address_replica"}
        assert pins[(f"ram{b}", "memwr", "DATA")] == {f"bank{b}_write_data_replica"}
        assert pins[(f"ram{b}", "memwr", "EN")] == {f"bank{b}_write_enable"}
        for name in ("read_address_replica", "write_address_replica", "write_data_replica", "write_enable"):
            assert re.search(rf"cell \$dff \S+\n(    .*\n)*?    connect \\Q \\bank{b}_{name}\n", text), (b, name)


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
