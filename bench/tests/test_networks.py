"""The bench set: configs load with the intended sizes and schedule at 192 kHz on a 100 MHz clock."""

from __future__ import annotations

import pytest

from bench.networks import DEVICES, NETWORKS, bench_network, plan_for
from common.config import load_config


def _params_by_hand(config) -> int:
    """K * Cin * Cout weights + Cout biases per layer, from the layer list alone."""
    total, cin = 0, len(config.inputs)
    for layer in config.layers:
        total += layer.kernel_size * cin * layer.filters + layer.filters
        cin = layer.filters
    return total


#: Intended sizes: the prototype-size default, ~4k, >= 12k (8x the prototype's ~1.5k), the largest.
INTENDED = {"default": (1_300, 1_600), "medium": (3_500, 5_000), "large": (12_000, 14_000),
            "xlarge": (40_000, 60_000)}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_bench_configs_load_with_the_intended_parameter_counts(name):
    config = load_config(NETWORKS[name].config_path)
    assert config.params == _params_by_hand(config)
    low, high = INTENDED[name]
    assert low <= config.params <= high, f"{name}: {config.params} params, intended {low}..{high}"
    assert config.name == name or NETWORKS[name].config_path == "configs/default.toml"


def test_the_set_grows_and_reaches_the_85f_target():
    sizes = [NETWORKS[name].config.params for name in NETWORKS]
    assert sizes == sorted(sizes)
    assert max(sizes) >= 12_000


@pytest.mark.parametrize("name", list(NETWORKS))
def test_every_network_schedules_on_its_parts_within_the_budget(name):
    config = NETWORKS[name].config
    for device in NETWORKS[name].devices:
        plan = plan_for(config, DEVICES[device])
        assert plan.cycle_budget == 520  # floor(100 MHz / 192 kHz)
        assert plan.cycles_per_sample <= plan.cycle_budget
        assert plan.multipliers <= DEVICES[device].multipliers


def test_default_is_built_on_the_25f():
    assert "25f" in NETWORKS["default"].devices
    assert NETWORKS["default"].config_path == "configs/default.toml"


def test_bench_weights_are_reproducible():
    a, b = bench_network("default"), bench_network("default")
    for la, lb in zip(a.layers, b.layers, strict=True):
        assert (la.weights == lb.weights).all() and (la.bias == lb.bias).all()
