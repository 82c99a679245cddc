"""The front end's flip-flops, counted register by register from rtl/front_end.py (``front_end_ffs``), against
yosys' counts of the front end synthesised alone (``rtl.resources.FRONT_END_CALIBRATION``: every role set the
inputs can ask for, two data formats); the network's estimate includes them."""

from __future__ import annotations

import pytest

from common.config import load_config
from rtl.plan import make_plan
from rtl.resources import FRONT_END_CALIBRATION, front_end_config, front_end_ffs


@pytest.mark.parametrize("entry", FRONT_END_CALIBRATION, ids=lambda e: f"{'+'.join(e[0])}@{e[1][0]}bit")
def test_front_end_flip_flops_as_yosys_keeps_them(entry):
    measured = entry[3]
    assert abs(front_end_ffs(front_end_config(entry)) - measured) <= 0.025 * measured


def test_network_estimate_includes_the_front_end():
    config = load_config("configs/default.toml")
    plan = make_plan(config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=28)
    estimate = plan.estimate
    layers = sum(layer.ffs for layer in estimate.layers)
    # besides the layers: the front end, each layer's reset register and the front end's, and two hold counters
    # of plan.reset_cycles (1027 cycles: 11 bits) with their flags
    assert plan.reset_cycles == 1027
    assert estimate.network.ffs == layers + front_end_ffs(config) + (3 + 1) + 2 * (11 + 1)
    assert estimate.network.multipliers == sum(plan.lanes) + 2
