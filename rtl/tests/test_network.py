"""The whole Network against the golden model on several configs, every sample compared as integers,
and the measured initiation interval and latency compared with the plan's."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.hdl import ClockDomain, Module
from amaranth.sim import Simulator

from common.config import FixedFormat, LayerConfig, ModelConfig, load_config
from quantize.golden import first_divergence, run_batch, run_streaming
from quantize.weights import random_network
from rtl.network import Network
from rtl.plan import make_plan

from .harness import random_codes, simulate_network, unsaturated_fraction

#: The prior design's four input roles: the network alone does not care what its channels carry.
FOUR = ("core", "e0", "e1", "zero")

CONFIGS = {
    "small_half_up": ModelConfig(layers=[LayerConfig(4, 3, 1), LayerConfig(3, 2, 2), LayerConfig(2, 2, 4)],
                                 inputs=FOUR),
    "narrow_floor": ModelConfig(
        layers=[LayerConfig(3, 2, 1), LayerConfig(4, 3, 2), LayerConfig(1, 2, 4)], rounding="floor",
        inputs=("core", "e0"), data_format=FixedFormat(10, 6), weight_format=FixedFormat(8, 5)),
    "wide_half_even": ModelConfig(
        layers=[LayerConfig(3, 4, 1), LayerConfig(2, 1, 1), LayerConfig(3, 3, 3)], rounding="half_even",
        inputs=FOUR, data_format=FixedFormat(18, 14), weight_format=FixedFormat(18, 12)),
    # every layer has the same initiation interval (no slack anywhere in the chain)
    "equal_interval": ModelConfig(layers=[LayerConfig(2, 2, 1), LayerConfig(2, 2, 2)], inputs=("core", "e0")),
    "two_layer_k1": ModelConfig(layers=[LayerConfig(2, 1, 1), LayerConfig(3, 3, 1)], inputs=("core",),
                                rounding="half_even"),
    # dilations that leave gaps in the receptive field (accepted with a warning): a dilated first layer
    # (ShiftBuffer taps 3 apart) and a block-RAM layer whose dilation skips past what layer 0 covers
    "gaps": ModelConfig(layers=[LayerConfig(3, 3, 3), LayerConfig(2, 2, 9)], inputs=("core", "e0"),
                        rounding="half_even"),
}


def _lane_options(cfg: ModelConfig) -> dict[str, list[int]]:
    return {
        "one_lane": [1] * len(cfg.layers),
        "mixed": [max(1, lc.filters // 2) for lc in cfg.layers],
        "fully_parallel": [lc.filters for lc in cfg.layers],
    }


def _check(cfg: ModelConfig, lanes: list[int], *, samples: int, seed: int, **sim_args):
    rng = np.random.default_rng(seed)
    net = random_network(cfg, rng, scale=0.35, extremes=0.03)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=256, lanes=lanes)
    x = random_codes(cfg.data_format, rng, (samples, cfg.n_inputs))
    golden = run_streaming(net, x)
    batch = run_batch(net, x)
    assert np.array_equal(golden.output, batch.output)
    for acts in golden.activations:
        assert unsaturated_fraction(acts, cfg.data_format) > 0.2, "test signal saturates: it checks little"
    run = simulate_network(net, plan, x, **sim_args)
    message = first_divergence(golden, run.activations)
    assert message is None, message
    assert run.output.shape == golden.output.shape
    assert np.array_equal(run.output, golden.output)
    for layer, expected in enumerate(golden.activations):
        assert np.array_equal(run.activations[layer], expected), f"layer {layer}"
    return plan, run


@pytest.mark.parametrize("lane_option", ["one_lane", "mixed", "fully_parallel"])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_network_bit_exact_and_timing(name, lane_option):
    cfg = CONFIGS[name]
    lanes = _lane_options(cfg)[lane_option]
    samples = cfg.receptive_field + 24
    plan, run = _check(cfg, lanes, samples=samples, seed=len(name))
    # Inputs offered back to back: in steady state one is accepted every cycles_per_sample cycles.
    # (The first few come faster while the layers' output registers fill up.)
    gaps = np.diff(run.accept_cycles)
    assert np.all(gaps[len(gaps) // 2:] == plan.cycles_per_sample), gaps
    # The first input is taken once the caches are cleared; its output comes latency_cycles later.
    assert run.accept_cycles[0] == plan.reset_cycles
    assert run.output_valid_cycles[0] - run.accept_cycles[0] == plan.latency_cycles


def test_latency_at_budget_spacing():
    """Inputs at the budget spacing: every output comes exactly latency_cycles after its input."""
    cfg = CONFIGS["small_half_up"]
    rng = np.random.default_rng(7)
    net = random_network(cfg, rng)
    plan = make_plan(cfg, clock_hz=10**7, sample_rate_hz=10**5, multipliers=4)
    assert plan.latency_cycles > plan.cycle_budget  # the output of t comes after input t+1 is taken
    x = random_codes(cfg.data_format, rng, (20, cfg.n_inputs))
    run = simulate_network(net, plan, x, spacing=plan.cycle_budget)
    assert np.array_equal(run.output, run_batch(net, x).output)
    assert np.all(np.diff(run.accept_cycles) == plan.cycle_budget)
    latencies = np.array(run.output_valid_cycles) - np.array(run.accept_cycles)
    assert np.all(latencies == plan.latency_cycles), latencies
    assert plan.latency_samples == plan.latency_cycles // plan.cycle_budget >= 1


@pytest.mark.parametrize("name", ["small_half_up", "wide_half_even"])
def test_network_backpressure_and_gaps(name):
    """Random input gaps and random output stalls: nothing lost, duplicated or reordered."""
    cfg = CONFIGS[name]
    _check(cfg, _lane_options(cfg)["mixed"], samples=cfg.receptive_field + 16, seed=3,
           ready_probability=0.3, valid_probability=0.5)


@pytest.mark.slow
def test_default_network_at_192khz_100mhz():
    cfg = load_config("configs/default.toml")
    rng = np.random.default_rng(11)
    net = random_network(cfg, rng)
    plan = make_plan(cfg, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    assert plan.cycles_per_sample <= plan.cycle_budget == 520
    x = random_codes(cfg.data_format, rng, (24, cfg.n_inputs))
    run = simulate_network(net, plan, x)
    golden = run_streaming(net, x)
    assert first_divergence(golden, run.activations) is None
    assert np.array_equal(run.output, golden.output)
    # once the layers' pipeline is full, one sample per planned interval
    assert np.all(np.diff(run.accept_cycles)[-8:] == plan.cycles_per_sample)
    assert run.output_valid_cycles[0] - run.accept_cycles[0] == plan.latency_cycles


def test_reset_mid_stream_restarts_from_empty_history():
    """A reset in the middle of a stream (outputs pending, caches full) gives a network that behaves
    exactly like a fresh one: the block-RAM histories are cleared, not just the handshakes."""
    cfg = CONFIGS["small_half_up"]
    rng = np.random.default_rng(5)
    net = random_network(cfg, rng)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=8, lanes=[2, 1, 2])
    first = random_codes(cfg.data_format, rng, (cfg.receptive_field + 5, cfg.n_inputs), std=2.0)
    second = random_codes(cfg.data_format, rng, (cfg.receptive_field + 5, cfg.n_inputs))
    dut = Network(net, plan)
    top = Module()
    top.domains.sync = sync = ClockDomain()
    top.submodules.dut = dut
    outputs = []

    async def testbench(ctx):
        ctx.set(dut.o.ready, 1)
        for x, keep in ((first, False), (second, True)):
            index = 0
            for _ in range(20 * plan.cycles_per_sample * len(x)):
                if index == len(x) and (not keep or len(outputs) == len(x)):
                    break
                ctx.set(dut.i.valid, int(index < len(x)))
                if index < len(x):
                    ctx.set(dut.i.payload, [int(v) for v in x[index]])
                    if ctx.get(dut.i.ready):
                        index += 1
                if keep and ctx.get(dut.o.valid):
                    outputs.append([int(v) for v in ctx.get(dut.o.payload)])
                await ctx.tick()
            ctx.set(dut.i.valid, 0)
            ctx.set(sync.rst, 1)
            await ctx.tick()
            ctx.set(sync.rst, 0)

    sim = Simulator(top)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    assert np.array_equal(np.array(outputs).reshape(-1, cfg.n_outputs), run_batch(net, second).output)


@pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")  # the refused objects are never elaborated
def test_a_reset_hold_of_zero_cycles_is_refused_at_construction():
    """The hold counter counts up to ``reset_cycles - 1``: with 0 it would never end and ``ready`` would never
    rise (a deadlock in simulation and on the board), so the network and the waveshaper refuse the plan when
    they are built, before anything is elaborated."""
    import dataclasses

    from rtl.network import hold_after_reset
    from rtl.waveshaper import Waveshaper

    config = CONFIGS["equal_interval"]
    net = random_network(config, np.random.default_rng(0))
    plan = dataclasses.replace(make_plan(config, clock_hz=10**8, sample_rate_hz=10**6, multipliers=8),
                               reset_cycles=0)
    pattern = r"^plan\.reset_cycles: the input must be held at least 1 cycle after reset .* got 0"
    with pytest.raises(ValueError, match=pattern):
        Network(net, plan)
    with pytest.raises(ValueError, match=pattern):
        Waveshaper(net, plan)
    with pytest.raises(ValueError, match=pattern):
        hold_after_reset(None, 0, None, None)
