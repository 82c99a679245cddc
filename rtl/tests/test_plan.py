"""The scheduler: fewest multipliers that meet the budget, honest numbers, PlanError with a usable fix."""

from __future__ import annotations

import math
import re

import pytest

from common.config import LayerConfig, ModelConfig, load_config
from rtl.plan import LAYER_OVERHEAD_CYCLES, Plan, PlanError, make_plan


@pytest.fixture
def default_config() -> ModelConfig:
    return load_config("configs/default.toml")


def test_plan_fits_budget_with_fewest_multipliers(default_config):
    plan = make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    assert plan.cycle_budget == 100_000_000 // 192_000
    assert plan.cycles_per_sample == max(lp.cycles for lp in plan.layers) <= plan.cycle_budget
    assert plan.multipliers == sum(plan.lanes)
    for i, lp in enumerate(plan.layers):
        assert lp.mac_cycles == math.ceil(lp.out_channels / lp.lanes) * lp.kernel_size * lp.in_channels
        assert lp.accumulator_bits == default_config.accumulator_bits(i)
        if lp.lanes > 1:  # one lane fewer would miss the budget
            fewer = list(plan.lanes)
            fewer[i] -= 1
            with pytest.raises(PlanError, match=r"^cannot schedule 'default' .*: lanes \[.*\] take \d+ "
                                                r"cycles per sample"):
                make_plan(default_config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156,
                          lanes=fewer)
    # the whole default network runs on a handful of multipliers
    assert plan.multipliers <= 8
    assert plan.latency_cycles == sum(lp.latency_cycles for lp in plan.layers)
    assert plan.latency_samples == plan.latency_cycles // plan.cycle_budget


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
    cfg = ModelConfig(layers=[LayerConfig(4, 3, 1), LayerConfig(2, 2, 2)])
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=16, lanes=[4, 2])
    assert plan.lanes == [4, 2] and plan.layers[0].cycles == 3 * 4 + LAYER_OVERHEAD_CYCLES
    for bad, message in (([5, 1], r"^lanes\[0\]: must be between 1 and the layer's 4 filters, got 5$"),
                         ([0, 1], r"^lanes\[0\]: must be between 1 and the layer's 4 filters, got 0$"),
                         ([1], r"^lanes: 1 values given for 2 layers$")):
        with pytest.raises(PlanError, match=message):
            make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=16, lanes=bad)
    with pytest.raises(PlanError, match=r"and 3 multipliers: lanes \[2, 2\] use 4 multipliers$"):
        make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=3, lanes=[2, 2])
