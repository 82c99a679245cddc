"""``Lane`` alone in Amaranth's simulator: the MAC steps of a few groups issued as ``ConvLayer`` issues them
(its coefficient memory read at the step number and at the group's bias, the sample and the flags at their
stages), with idle cycles between steps; every group's output against the golden model's
``aligned_bias``/``requantize``."""

from __future__ import annotations

import numpy as np
import pytest
from amaranth.sim import Simulator

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.golden import aligned_bias, requantize
from quantize.weights import QuantizedLayer, random_network
from rtl.coefficients import coefficient_image
from rtl.lane import Lane
from rtl.plan import make_plan
from rtl.timing import HISTORY_READ_LATENCY as L

from .harness import random_codes, unsaturated_fraction


def _plan(cfg: ModelConfig, index: int, lanes: int):
    lane_list = [1] * len(cfg.layers)
    lane_list[index] = lanes
    return make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=64, lanes=lane_list).layers[index]


def _simulate(lane: Lane, x: np.ndarray, rng: np.random.Generator, idle: float) -> list[int]:
    """Issue the steps of group after group, all groups of a layer's sample and then those of the next
    (``x[r, s]``: the sample of step ``s`` of the ``r``-th group issued, group ``r % G``), with an idle cycle
    before a step with probability ``idle``; returns ``y`` of each group on the cycle it is due."""
    plan = lane.plan
    steps = plan.kernel_size * plan.in_channels
    issued = []  # per cycle: None (idle) or (address, group, first, last, sample)
    for r, row in enumerate(x):
        g = r % plan.groups
        for s in range(steps):
            while rng.random() < idle:
                issued.append(None)
            issued.append((g * steps + s, g, s == 0, s == steps - 1, int(row[s])))
    issued += [None] * (L + 4)

    def at(cycle):
        return issued[cycle] if 0 <= cycle < len(issued) else None

    outputs = []

    async def bench(ctx):
        for cycle in range(len(issued)):
            now, bias_read, at_inputs, at_product = at(cycle), at(cycle - (L - 1)), at(cycle - L), at(cycle - L - 1)
            ctx.set(lane.step, now[0] if now else 0)
            ctx.set(lane.group, bias_read[1] if bias_read else 0)
            ctx.set(lane.x, at_inputs[4] if at_inputs else 0)
            ctx.set(lane.valid, at_inputs is not None)
            ctx.set(lane.first, bool(at_inputs and at_inputs[2]))
            ctx.set(lane.last, bool(at_product and at_product[3]))
            finished = at(cycle - L - 3)
            if finished and finished[3]:
                outputs.append(ctx.get(lane.y))
            await ctx.tick()

    sim = Simulator(lane)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    return outputs


def _expected(cfg: ModelConfig, index: int, layer: QuantizedLayer, plan, number: int, x: np.ndarray):
    """The golden accumulators of lane ``number``'s groups as :func:`_simulate` issues them (zero weights and
    bias for a padding channel) and their outputs."""
    channels = [(r % plan.groups) * plan.lanes + number for r in range(len(x))]
    weights = np.array([layer.weights[:, :, o].reshape(-1) if o < plan.out_channels
                        else np.zeros(plan.kernel_size * plan.in_channels, np.int64) for o in channels])
    bias = np.array([layer.bias[o] if o < plan.out_channels else 0 for o in channels], np.int64)
    acc = np.sum(x * weights, axis=1) + aligned_bias(cfg, bias)
    return acc, requantize(acc, cfg, relu=cfg.has_relu(index))


CASES = [
    # (rounding, data format, weight format, layers, index, lanes, lane number): ReLU (index 0) or not, one
    # group or several, a padding channel (the second case's lane 1, channel 3 of 3), R above df (the fourth)
    ("half_even", FixedFormat(16, 12), FixedFormat(16, 12), (LayerConfig(5, 3, 1), LayerConfig(2, 2, 2)), 0, 1, 0),
    ("half_up", FixedFormat(16, 12), FixedFormat(16, 12), (LayerConfig(5, 3, 1), LayerConfig(3, 2, 2)), 1, 2, 1),
    ("floor", FixedFormat(12, 8), FixedFormat(10, 7), (LayerConfig(4, 2, 1), LayerConfig(7, 3, 1)), 1, 3, 0),
    ("half_up", FixedFormat(10, 2), FixedFormat(16, 14), (LayerConfig(4, 2, 1), LayerConfig(3, 1, 1)), 1, 3, 2),
    ("half_even", FixedFormat(18, 14), FixedFormat(18, 15), (LayerConfig(6, 2, 1), LayerConfig(3, 2, 2)), 0, 2, 0),
]


@pytest.mark.parametrize("rounding,data_fmt,weight_fmt,layers,index,lanes,number", CASES)
def test_every_group_matches_the_golden_requantization(rounding, data_fmt, weight_fmt, layers, index, lanes, number):
    cfg = ModelConfig(layers=layers, inputs=("core", "e0"), rounding=rounding, data_format=data_fmt,
                      weight_format=weight_fmt)
    rng = np.random.default_rng(len(layers) * 100 + index * 10 + lanes)
    layer = random_network(cfg, rng, scale=0.5, extremes=0.05).layers[index]
    plan = _plan(cfg, index, lanes)
    samples = 4
    x = random_codes(data_fmt, rng, (samples * plan.groups, plan.kernel_size * plan.in_channels), extremes=0.05)
    lane = Lane(cfg, plan, number, coefficient_image(cfg, layer, plan, number))
    got = _simulate(lane, x, rng, idle=0.3)
    _, expected = _expected(cfg, index, layer, plan, number, x)
    assert got == expected.tolist()
    assert unsaturated_fraction(expected, data_fmt) > 0.25  # the test compares arithmetic, not clamps


@pytest.mark.parametrize("rounding", ["half_even", "half_up", "floor"])
@pytest.mark.parametrize("relu", [True, False])
def test_saturation_relu_and_rounding_ties(rounding, relu):
    """One step per group (a 1x1 kernel over one input), each group an edge: saturation high and low, a small
    negative result (ReLU), ties on both sides of an even and an odd quotient, and their neighbours."""
    fmt = FixedFormat(16, 12)
    layers = (LayerConfig(14, 1, 1),) + ((LayerConfig(1, 1, 1),) if relu else ())  # the last layer is linear
    cfg = ModelConfig(layers=layers, inputs=("core",), rounding=rounding, data_format=fmt, weight_format=fmt)
    index = 0
    shift = cfg.requant_shift
    half = 1 << (shift - 1)
    # (sample, weight, bias) per group; with weight 1 and bias 0 the accumulator is the sample plus R
    edges = [(fmt.max_int, fmt.max_int, fmt.max_int), (fmt.max_int, fmt.min_int, fmt.min_int),
             (fmt.min_int, fmt.min_int, fmt.max_int), (-3 * half, 1, 0)]
    ties = [half, 3 * half, -half, -3 * half, 5 * half]
    edges += [(t, 1, 0) for t in ties] + [(t + 1, 1, 0) for t in ties[:3]] + [(t - 1, 1, 0) for t in ties[:2]]
    x = np.array([[sample] for sample, _, _ in edges], np.int64)
    weights = np.array([[[w for _, w, _ in edges]]], np.int64)
    layer = QuantizedLayer(weights, np.array([b for _, _, b in edges], np.int64))
    plan = _plan(cfg, index, 1)
    lane = Lane(cfg, plan, 0, coefficient_image(cfg, layer, plan, 0))
    got = _simulate(lane, x, np.random.default_rng(7), idle=0.2)
    acc, expected = _expected(cfg, index, layer, plan, 0, x)
    assert got == expected.tolist()
    # the groups are the edges they claim to be
    floor_q = acc >> shift
    assert floor_q[0] > fmt.max_int and (expected[0], expected[1]) == (fmt.max_int, 0 if relu else fmt.min_int)
    assert floor_q[3] < 0 and expected[3] == (0 if relu else floor_q[3])
    if rounding != "half_up":  # R = 0: the ties are exact in the accumulator
        assert all(a % (1 << shift) == half for a in acc[4:9])
        assert rounding != "half_even" or expected[4:9].tolist() == ([0, 2, 0, 0, 2] if relu else [0, 2, 0, -2, 2])
    assert unsaturated_fraction(expected, fmt) > 0.2


@pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")  # the refused lane is never elaborated
def test_an_image_of_the_wrong_length_is_refused():
    cfg = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(2, 2, 2)), inputs=("core", "e0"))
    plan = _plan(cfg, 0, 1)
    with pytest.raises(ValueError, match=rf"^layer 0 lane 0: the image must have {plan.coefficient_depth} words, "
                                         rf"got {plan.coefficient_depth - 1}$"):
        Lane(cfg, plan, 0, [0] * (plan.coefficient_depth - 1))
