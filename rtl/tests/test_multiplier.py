"""``Multiplier``: exact signed products one cycle later; on an ECP5 the MULT18X18D with its output register."""

from __future__ import annotations

import re

import numpy as np
import pytest
from amaranth.back import rtlil
from amaranth.sim import Simulator

from rtl.multiplier import Multiplier


@pytest.mark.parametrize("a_width,b_width", [(16, 16), (18, 18), (12, 9)])
def test_products_are_exact_one_cycle_later(a_width, b_width):
    dut = Multiplier(a_width, b_width)
    rng = np.random.default_rng(a_width + b_width)
    lo_a, hi_a = -(1 << (a_width - 1)), (1 << (a_width - 1)) - 1
    lo_b, hi_b = -(1 << (b_width - 1)), (1 << (b_width - 1)) - 1
    pairs = [(lo_a, lo_b), (lo_a, hi_b), (hi_a, lo_b), (hi_a, hi_b), (0, lo_b), (-1, -1)]
    pairs += [(int(a), int(b)) for a, b in zip(rng.integers(lo_a, hi_a + 1, 40), rng.integers(lo_b, hi_b + 1, 40),
                                               strict=True)]
    got = []

    async def bench(ctx):
        for a, b in pairs:
            ctx.set(dut.a, a)
            ctx.set(dut.b, b)
            await ctx.tick()
            got.append(ctx.get(dut.p))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(bench)
    sim.run()
    assert got == [a * b for a, b in pairs]


class _ECP5:
    family = "ecp5"


def test_on_an_ecp5_the_product_register_is_the_dsp_blocks_own():
    text = rtlil.convert(Multiplier(16, 16), name="top", platform=_ECP5())
    cell = text[text.index("cell \\MULT18X18D"):]
    cell = cell[:cell.index("\n  end")]
    parameters = dict(re.findall(r'parameter \\(\w+) "(\w+)"', cell))
    assert parameters["REG_OUTPUT_CLK"] == "CLK0" and parameters["REG_OUTPUT_CE"] == "CE0"
    assert parameters["REG_INPUTA_CLK"] == parameters["REG_INPUTB_CLK"] == parameters["REG_PIPELINE_CLK"] == "NONE"
    assert parameters["GSR"] == "DISABLED"
    connections = dict(re.findall(r"connect \\(\w+) (.+)", cell))
    assert connections["SIGNEDA"] == connections["SIGNEDB"] == connections["CE0"] == "1'1"
    assert connections["RST0"] == "1'0"
    assert all(f"P{i}" in connections for i in range(36)) and all(f"A{i}" in connections for i in range(18))
    assert "$mul" not in text  # no fabric multiplier beside it


@pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")
def test_operands_wider_than_the_block_are_refused():
    with pytest.raises(ValueError, match=r"^a_width: an operand of the 18-bit multiplier, got 19$"):
        Multiplier(19, 16)
