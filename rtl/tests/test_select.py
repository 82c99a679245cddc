"""``rtl.select.select``: the Array replacement that keeps the generated Verilog X-free under Icarus."""

from __future__ import annotations

import re

import numpy as np
import pytest
from amaranth.hdl import Const, Module, Signal, signed
from amaranth.sim import Simulator

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.weights import random_network
from rtl.generate import generate_verilog
from rtl.plan import make_plan
from rtl.select import select


@pytest.mark.parametrize("count,index_bits", [(1, 0), (1, 2), (2, 1), (3, 2), (5, 3), (6, 4)])
def test_select_is_indexing_and_saturates_like_array(count, index_bits):
    """Every index value picks ``options[index]``; past the end, the last option (Array's behaviour)."""
    values = [(-1) ** j * (37 * j + 5) for j in range(count)]
    index = Signal(index_bits)
    out = Signal(signed(16))
    m = Module()
    m.d.comb += out.eq(select([Const(v, signed(16)) for v in values], index))
    seen = {}

    async def bench(ctx):
        for i in range(1 << index_bits):
            ctx.set(index, i)
            seen[i] = ctx.get(out)

    sim = Simulator(m)
    sim.add_testbench(bench)
    sim.run()
    assert seen == {i: values[min(i, count - 1)] for i in range(1 << index_bits)}


def test_select_rejects_no_options():
    with pytest.raises(ValueError, match=r"^select\(\) needs at least one option$"):
        select([], Signal(2))


def test_generated_verilog_has_no_combinational_case_blocks():
    """A selection emitted as ``case`` inside ``always @*`` is only evaluated by Icarus when an input
    changes; with inputs constant from time 0 (group 0's bias, the first tap/channel after reset) it
    stays X and poisons the first output. Every selection must be a continuous ``assign`` instead."""
    cfg = ModelConfig(layers=(LayerConfig(5, 3, 1), LayerConfig(6, 4, 2), LayerConfig(3, 1, 1)),
                      inputs=("core", "e0", "e1"), weight_format=FixedFormat(16, 12))
    net = random_network(cfg, np.random.default_rng(5), scale=1.0, extremes=0.05)
    plan = make_plan(cfg, clock_hz=100_000_000, sample_rate_hz=48_000, multipliers=1000, lanes=[2, 4, 1])
    text = generate_verilog(net, plan, debug=True)
    comb_blocks = re.findall(r"always @\* begin(.*?)\n  end\n", text, re.S)
    assert comb_blocks, "expected yosys' next-state blocks: the pattern no longer matches the output"
    offending = [b for b in comb_blocks if "case" in b]
    assert not offending, f"{len(offending)} combinational case block(s), e.g.:{offending[0][:400]}"
