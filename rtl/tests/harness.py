"""Amaranth-simulation drivers shared by the rtl tests: stream the samples in, collect every vector out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from amaranth.sim import Simulator

from quantize.weights import QuantizedNetwork
from rtl.network import Network
from rtl.plan import Plan


@dataclass
class NetworkRun:
    output: np.ndarray
    #: Per layer, the vectors seen on the debug port in transfer order.
    activations: list[np.ndarray]
    #: Cycle numbers of every input transfer and of the first cycle each output was valid.
    accept_cycles: list[int] = field(default_factory=list)
    output_valid_cycles: list[int] = field(default_factory=list)


def simulate_network(net: QuantizedNetwork, plan: Plan, x: np.ndarray, *, spacing: int = 0,
                     ready_probability: float = 1.0, valid_probability: float = 1.0, seed: int = 0,
                     max_cycles: int | None = None) -> NetworkRun:
    """Feed ``x`` (samples, n_inputs) into a debug :class:`Network` and collect all outputs.

    ``spacing``: at least this many cycles between offered inputs (0 = as fast as accepted).
    ``ready_probability`` / ``valid_probability``: random output backpressure and input gaps.
    """
    cfg = net.config
    dut = Network(net, plan, debug=True)
    rng = np.random.default_rng(seed)
    n = len(x)
    if max_cycles is None:
        max_cycles = (n + 2) * max(spacing, plan.cycles_per_sample) * 4 + plan.latency_cycles * 2 + 100
        if ready_probability < 1 or valid_probability < 1:
            max_cycles = int(max_cycles / min(ready_probability, valid_probability)) * 2
    run = NetworkRun(np.zeros((0, cfg.n_outputs), np.int64), [])
    outputs: list[list[int]] = []
    layer_outputs: list[list[list[int]]] = [[] for _ in cfg.layers]
    debug_ports = [getattr(dut, f"layer{i}") for i in range(len(cfg.layers))]

    async def testbench(ctx):
        index = 0
        last_offer = -(10 ** 9)
        was_valid = False
        for cycle in range(max_cycles):
            offer = index < n and cycle - last_offer >= spacing and rng.random() < valid_probability
            ctx.set(dut.i.valid, int(offer))
            if offer:
                ctx.set(dut.i.payload, [int(v) for v in x[index]])
            ready = rng.random() < ready_probability
            ctx.set(dut.o.ready, int(ready))
            if offer and ctx.get(dut.i.ready):
                run.accept_cycles.append(cycle)
                index += 1
                last_offer = cycle
            valid = bool(ctx.get(dut.o.valid))
            if valid and not was_valid:
                run.output_valid_cycles.append(cycle)
            for store, port in zip(layer_outputs, debug_ports, strict=True):
                if ctx.get(port.valid):
                    store.append([int(v) for v in ctx.get(port.payload)])
            if valid and ready:
                outputs.append([int(v) for v in ctx.get(dut.o.payload)])
                was_valid = False
            else:
                was_valid = valid
            if len(outputs) == n:
                break
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    run.output = np.array(outputs, dtype=np.int64).reshape(-1, cfg.n_outputs)
    run.activations = [np.array(s, dtype=np.int64).reshape(-1, lc.filters)
                       for s, lc in zip(layer_outputs, cfg.layers, strict=True)]
    return run


def simulate_stream(dut, x: np.ndarray, out_channels: int, *, ready_probability: float = 1.0,
                    valid_probability: float = 1.0, seed: int = 0, max_cycles: int = 200_000):
    """Stream ``x`` through any component with ``i``/``o`` vector streams; returns (outputs, accept cycles)."""
    rng = np.random.default_rng(seed)
    outputs: list[list[int]] = []
    accepts: list[int] = []

    async def testbench(ctx):
        index = 0
        for cycle in range(max_cycles):
            offer = index < len(x) and rng.random() < valid_probability
            ctx.set(dut.i.valid, int(offer))
            if offer:
                ctx.set(dut.i.payload, [int(v) for v in x[index]])
            ready = rng.random() < ready_probability
            ctx.set(dut.o.ready, int(ready))
            if offer and ctx.get(dut.i.ready):
                accepts.append(cycle)
                index += 1
            if ready and ctx.get(dut.o.valid):
                outputs.append([int(v) for v in ctx.get(dut.o.payload)])
                if len(outputs) == len(x):
                    return
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    return np.array(outputs, dtype=np.int64).reshape(-1, out_channels), accepts


def random_codes(fmt, rng: np.random.Generator, shape, *, extremes: float = 0.1, std: float = 0.5) -> np.ndarray:
    """Gaussian codes of ``std`` (real units; most outputs then stay inside the range, so the arithmetic is
    really compared) with a fraction ``extremes`` pinned to the two full-scale codes (saturation)."""
    codes = np.clip(np.rint(rng.normal(0.0, std * fmt.scale, size=shape)), fmt.min_int, fmt.max_int)
    codes = codes.astype(np.int64)
    codes[rng.random(shape) < extremes / 2] = fmt.min_int
    codes[rng.random(shape) < extremes / 2] = fmt.max_int
    return codes.astype(np.int64)


def unsaturated_fraction(codes: np.ndarray, fmt) -> float:
    """Share of codes strictly inside the format and non-zero: outputs that exercise the arithmetic."""
    codes = np.asarray(codes)
    return float(np.mean((codes > fmt.min_int) & (codes < fmt.max_int) & (codes != 0)))
