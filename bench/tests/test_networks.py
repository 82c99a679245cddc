"""The bench set: the per-board configs reach their targets in size, and each row plans on its board with
an estimate that fits the part, before anything is built."""

from __future__ import annotations

import pytest

from bench.networks import BUILDS, bench_network, build_dir
from bitstream.plan import plan_for_board
from boards.registry import get_board
from common.config import load_config


def _params_by_hand(config) -> int:
    """K * Cin * Cout weights + Cout biases per layer, from the layer list alone."""
    total, cin = 0, len(config.inputs)
    for layer in config.layers:
        total += layer.kernel_size * cin * layer.filters + layer.filters
        cin = layer.filters
    return total


#: The issue's targets: the largest network of each board.
TARGETS = {"configs/ecpix5.toml": ("ecpix5", 50_000), "configs/colorlight_i5.toml": ("colorlight_i5", 8_000)}


@pytest.mark.parametrize("path,target", TARGETS.items())
def test_board_configs_reach_their_targets(path, target):
    board, params = target
    config = load_config(path)
    assert config.params == _params_by_hand(config) >= params
    assert any(b.config_path == path and b.board == board for b in BUILDS)
    default = load_config("configs/default.toml")
    # the same signal path as the default: inputs, front end, formats, lookahead, rate, scaling
    for field in ("inputs", "front_end", "weight_format", "data_format", "lookahead", "sample_rate_hz",
                  "volts_per_unit", "rounding"):
        assert getattr(config, field) == getattr(default, field), field


@pytest.mark.parametrize("build", BUILDS, ids=lambda b: b.key)
def test_every_row_plans_on_its_board_and_fits(build):
    board = get_board(build.board)
    plan = plan_for_board(build.config, board)
    assert plan.cycles_per_sample <= plan.cycle_budget
    assert plan.clock_hz == int(board.network_clock_hz) > board.sys_clock_hz  # its own, faster clock
    assert not plan.estimate.over()
    assert plan.capacity_macs_per_sample == plan.multipliers * plan.cycle_budget >= build.config.macs_per_sample
    assert plan.physical_limit_macs_per_sample == pytest.approx(
        plan.multiplier_budget * plan.clock_hz / plan.sample_rate_hz)


def test_rows_span_the_prototype_size_to_each_boards_largest():
    default = load_config("configs/default.toml").params
    for board in {b.board for b in BUILDS}:
        sizes = [b.config.params for b in BUILDS if b.board == board]
        assert min(sizes) == default and max(sizes) > 5 * default


def test_bench_weights_are_reproducible_and_rows_build_apart():
    a, b = bench_network(BUILDS[0]), bench_network(BUILDS[0])
    for la, lb in zip(a.layers, b.layers, strict=True):
        assert (la.weights == lb.weights).all() and (la.bias == lb.bias).all()
    assert len({build_dir(b) / b.board for b in BUILDS}) == len(BUILDS)
