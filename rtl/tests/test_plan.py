"""The scheduler: fewest multipliers that meet the budget, honest numbers, PlanError with a usable fix."""

from __future__ import annotations

import re

import pytest

from common.config import LayerConfig, ModelConfig
from rtl.plan import Plan, PlanError, make_plan

#: The prior design's four input roles.
FOUR = ("core", "e0", "e1", "zero")


@pytest.fixture
def default_config() -> ModelConfig:
    """The prior design's network (K=4, 16/16/1 filters, dilations 1/4/16, four inputs), built here so the
    hand-worked figures below stay put whatever configs/default.toml grows into."""
    return ModelConfig(name="default", inputs=FOUR,
                       layers=[LayerConfig(16, 4, 1), LayerConfig(16, 4, 4), LayerConfig(1, 4, 16)])


def test_default_plan_by_hand(default_config):
    """The default network at 192 kHz on 100 MHz, every figure worked out by hand (LAYER_OVERHEAD_CYCLES = 8
    and LAYER_LATENCY_OVERHEAD = 9 are measured in simulation by test_measured_timing_is_the_plan below
    and by rtl/tests/test_network.py):

    * budget: 100 000 000 // 192 000 = 520 cycles per sample;
    * layer 0 (K=4, Cin=4, 16 filters): a group is 4 * 4 = 16 steps; (520 - 8) // 16 = 32 groups would fit,
      so one lane does all 16 groups: 16 * 16 = 256 MAC cycles, 264 per sample, latency 265;
    * layer 1 (K=4, Cin=16, 16 filters): a group is 64 steps; 512 // 64 = 8 groups fit, so 16 / 8 = 2 lanes:
      8 * 64 = 512 MAC cycles, 520 per sample, latency 521;
    * layer 2 (K=4, Cin=16, 1 filter): 1 lane, 64 MAC cycles, 72 per sample, latency 73;
    * network: 1 + 2 + 1 = 4 multipliers, max(264, 520, 72) = 520 cycles per sample, latency
      265 + 521 + 73 = 859 cycles, i.e. 859 // 520 = 1 whole sample period;
    * accumulators: FP4.12 products are at most (-2**15)**2 = 2**30 and at least -2**15 * (2**15 - 1);
      layer 0 sums 16 of them plus the aligned bias (2**15 - 1) * 2**12 plus R = 2**11: at most
      2**34 + 2**27 - 2**11 < 2**35 -> 36 bits signed; layers 1 and 2 sum 64: 2**36 + 2**27 - 2**11 < 2**37
      -> 38 bits (and the negative extremes, -2**34 - 2**27 + 2**19 and -2**36 - 2**27 + 2**21, fit too).
    """
    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    assert plan.cycle_budget == 520
    assert plan.lanes == [1, 2, 1]
    assert [lp.groups for lp in plan.layers] == [16, 8, 1]
    assert [lp.mac_cycles for lp in plan.layers] == [256, 512, 64]
    assert [lp.cycles for lp in plan.layers] == [264, 520, 72]
    assert [lp.latency_cycles for lp in plan.layers] == [265, 521, 73]
    assert (plan.multipliers, plan.cycles_per_sample, plan.latency_cycles, plan.latency_samples) == (4, 520, 859, 1)
    assert [lp.accumulator_bits for lp in plan.layers] == [36, 38, 38]


def test_fewest_multipliers(default_config):
    """One lane fewer in any layer with more than one misses the budget."""
    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    for i, lp in enumerate(plan.layers):
        if lp.lanes > 1:
            fewer = list(plan.lanes)
            fewer[i] -= 1
            with pytest.raises(PlanError, match=r"^cannot schedule 'default' .*: lanes \[.*\] take 1032 "
                                                r"cycles per sample"):  # 16 groups x 64 + 7
                make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156,
                          lanes=fewer)


def test_more_budget_never_needs_more_multipliers(default_config):
    counts = [make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=rate, multipliers=156).multipliers
              for rate in (48_000, 96_000, 192_000, 384_000, 768_000)]
    assert counts == sorted(counts)
    assert counts[0] == len(default_config.layers)


def test_json_round_trip(tmp_path, default_config):
    plan = make_plan(default_config, clock_hz=90_000_000, sample_rate_hz=192_000, multipliers=28)
    plan.to_json(tmp_path / "plan.json")
    again = Plan.from_json(tmp_path / "plan.json")
    assert again == plan
    text = (tmp_path / "plan.json").read_text()
    for key in ("cycles_per_sample", "cycle_budget", "multipliers", "memory_bits", "latency_cycles",
                "latency_samples", "clock_hz", "sample_rate_hz", "lanes", "cache_depth", "rom_bits",
                "accumulator_bits"):
        assert f'"{key}"' in text


def test_too_few_multipliers_suggests_what_fits(default_config):
    needs = r"^cannot schedule 'default' at 768000 Hz .*: it needs \d+ multipliers"
    with pytest.raises(PlanError, match=needs) as info:
        make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=768_000, multipliers=3)
    message = str(info.value)
    assert "multipliers" in message
    rate = int(re.search(r"sample rate <= (\d+) Hz", message).group(1))
    assert rate < 768_000
    make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=rate, multipliers=3)  # the suggestion fits
    with pytest.raises(PlanError, match=r"^cannot schedule 'default' .* and 3 multipliers: it needs"):
        make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=rate + 1000, multipliers=3)
    device = int(re.search(r"device with >= (\d+) multipliers", message).group(1))
    make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=768_000, multipliers=device)
    filters = int(re.search(r"hidden layers of at most (\d+) filters", message).group(1))
    smaller = default_config.replace(layers=[LayerConfig(filters, 4, 1), LayerConfig(filters, 4, 4),
                                             LayerConfig(1, 4, 16)])
    make_plan(smaller, clock_hz=100_000_000, sample_rate_hz=768_000, multipliers=3)


def test_rate_impossible_even_fully_parallel(default_config):
    with pytest.raises(PlanError, match=r"^cannot schedule 'default' at 192000 Hz with a 10000000 Hz clock") as info:
        make_plan(default_config, clock_hz=10_000_000, sample_rate_hz=192_000, multipliers=156)
    message = str(info.value)
    assert "even with one multiplier per output channel" in message
    rate = int(re.search(r"sample rate <= (\d+) Hz", message).group(1))
    make_plan(default_config, clock_hz=10_000_000, sample_rate_hz=rate, multipliers=156)


def test_explicit_lanes_are_checked():
    cfg = ModelConfig(layers=[LayerConfig(4, 3, 1), LayerConfig(2, 2, 2)], inputs=FOUR)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=16, lanes=[4, 2])
    # layer 0: 4 lanes for 4 filters -> 1 group of 3 taps x 4 inputs = 12 MAC cycles, + 8 overhead
    assert plan.lanes == [4, 2] and plan.layers[0].cycles == 20
    for bad, message in (([5, 1], r"^lanes\[0\]: must be between 1 and the layer's 4 filters, got 5$"),
                         ([0, 1], r"^lanes\[0\]: must be between 1 and the layer's 4 filters, got 0$"),
                         ([1], r"^lanes: 1 values given for 2 layers$")):
        with pytest.raises(PlanError, match=message):
            make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=16, lanes=bad)
    with pytest.raises(PlanError, match=r"and 3 multipliers: lanes \[2, 2\] use 4 multipliers$"):
        make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=3, lanes=[2, 2])


@pytest.mark.parametrize("lanes, interval, latency", [
    # layer 0: 3 taps x 4 inputs = 12 steps per group; layer 1: 2 taps x 4 inputs = 8 steps per group
    ([4, 2], 20, (12 + 9) + (8 + 9)),   # 1 group each: max(12, 8) + 8; latencies (12 + 9) + (8 + 9)
    ([1, 1], 56, (48 + 9) + (16 + 9)),  # 4 groups of 12 = 48 (+ 8) and 2 groups of 8 = 16
    ([2, 1], 32, (24 + 9) + (16 + 9)),  # 2 groups of 12 = 24 (+ 8) is the slowest layer
])
def test_measured_timing_is_the_plan(lanes, interval, latency):
    """Initiation interval and latency measured in amaranth.sim equal the hand-computed figures and the plan's."""
    import numpy as np

    from quantize.weights import random_network

    from .harness import random_codes, simulate_network

    cfg = ModelConfig(layers=[LayerConfig(4, 3, 1), LayerConfig(2, 2, 2)], inputs=FOUR)
    rng = np.random.default_rng(1)
    net = random_network(cfg, rng)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=16, lanes=lanes)
    run = simulate_network(net, plan, random_codes(cfg.data_format, rng, (24, cfg.n_inputs)))
    measured_interval = set(np.diff(run.accept_cycles)[12:].tolist())
    measured_latency = run.output_valid_cycles[0] - run.accept_cycles[0]
    assert measured_interval == {interval} and plan.cycles_per_sample == interval
    assert measured_latency == latency == plan.latency_cycles


def test_capacity_figures_by_hand(default_config):
    """The default network at 100 MHz / 192 kHz (lanes 1, 2, 1, see above): it needs 4*4*16 + 4*16*16 + 4*16*1
    = 1344 multiply-accumulates per sample; 4 lanes x 520 cycles can do 2080 (efficiency 1344 / 2080 = 0.646);
    156 multipliers at 100 MHz could do at most 156 * 100e6 / 192e3 = 81 250."""
    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    assert plan.macs_per_sample == 1344
    assert plan.capacity_macs_per_sample == 2080
    assert plan.physical_limit_macs_per_sample == 81_250
    assert plan.efficiency == pytest.approx(1344 / 2080)
    figures = plan.capacity_dict()
    assert (figures["efficiency"], figures["share_of_physical_limit"]) == (0.646, round(1344 / 81_250, 3))


def test_block_ram_estimate_by_hand_and_the_refusal(default_config):
    """Block RAM of that plan: one per lane's coefficient memory (1 + 2 + 1; 256 + 16, 512 + 8 and 64 + 1
    words, each under 1024) and per history (layer 1: 16 slots x 16 channels = 256 words, layer 2: 64 x 16 =
    1024 words, one block each; layer 0's is in registers): 6. With 51 block RAMs used elsewhere it no longer
    fits a 25F's 56, and the plan says so before anything is built."""
    from common.devices import ecp5_device
    from rtl.resources import Resources

    part = ecp5_device("LFE5U-25F", "CABGA381", 6)
    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28, device=part)
    assert [(le.coefficient_block_rams, le.cache_block_rams) for le in plan.estimate.layers] == [(1, 0), (2, 1), (1, 1)]
    assert plan.estimate.network.block_rams == 6 and plan.estimate.network.multipliers == 4
    make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28, device=part,
              reserved=Resources(block_rams=50))
    with pytest.raises(PlanError, match=r"^'default' does not fit LFE5U-25F-6 CABGA381: the estimate needs 57 block "
                                        r"RAMs \(coefficient memories 4, histories 2, rest of the design 51\) > 56;"):
        make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28, device=part,
                  reserved=Resources(block_rams=51))
    with pytest.raises(PlanError, match=r"needs 29 multipliers \(network 4, rest of the design 25\) > 28"):
        make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28, device=part,
                  reserved=Resources(multipliers=25))


def test_estimate_round_trips_through_json(tmp_path, default_config):
    from common.devices import ecp5_device

    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28,
                     device=ecp5_device("LFE5U-25F", "CABGA381", 6))
    plan.to_json(tmp_path / "plan.json")
    assert Plan.from_json(tmp_path / "plan.json") == plan
