"""The MULT18X18D model against Lattice's documented behaviour, under both simulators.

Five instances of different register set-ups see one stream of operands: operand corners (+-2**17 and
2**17 - 1, 0, -1) and random values, both signednesses of each operand, clock enables and resets. A
reference here, written from the sysDSP guide's register description (input registers that carry the
SIGNED controls, a pipeline register, an output register; each with its selected clock enable and reset,
reset first; RESETMODE), says what P must be just before and just after every clock edge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sim.tests.conftest import require

from .cellbench import run_bench, run_instance

MASK18, MASK36 = (1 << 18) - 1, (1 << 36) - 1
CORNERS = (1 << 17, (1 << 17) - 1, 0, MASK18, 1)  # as 18-bit patterns: -2**17 (signed) or 2**17, 2**17-1, 0, -1


@dataclass(frozen=True)
class Setup:
    """One instance: which registers are on, the enable and reset each uses, the reset mode."""

    name: str
    inputs: bool = False
    pipeline: bool = False
    output: bool = False
    ce: int = 0
    rst: int = 0
    asynchronous: bool = False

    def params(self) -> str:
        clock = lambda on: '"CLK0"' if on else '"NONE"'  # noqa: E731
        items = [f".REG_INPUTA_CLK({clock(self.inputs)})", f".REG_INPUTB_CLK({clock(self.inputs)})",
                 f".REG_PIPELINE_CLK({clock(self.pipeline)})", f".REG_OUTPUT_CLK({clock(self.output)})",
                 '.RESETMODE("ASYNC")' if self.asynchronous else '.RESETMODE("SYNC")', '.GSR("DISABLED")']
        for reg in ("INPUTA", "INPUTB", "PIPELINE", "OUTPUT"):
            items += [f'.REG_{reg}_CE("CE{self.ce}")', f'.REG_{reg}_RST("RST{self.rst}")']
        return ", ".join(items)


SETUPS = (
    Setup("none"),
    Setup("output", output=True),  # what rtl/multiplier.py instantiates
    Setup("in_out", inputs=True, output=True, ce=1, rst=2),
    Setup("all", inputs=True, pipeline=True, output=True, ce=3, rst=1),
    Setup("async", inputs=True, output=True, ce=2, rst=3, asynchronous=True),
)


def value(pattern: int, signed: int) -> int:
    return pattern - (1 << 18) if signed and pattern >> 17 else pattern


def vectors(rng: np.random.Generator, n: int = 400) -> list[dict]:
    out = []
    for i in range(n):
        pick = lambda: int(rng.choice(CORNERS)) if rng.random() < 0.4 else int(rng.integers(0, 1 << 18))  # noqa: E731
        calm = i < n // 3  # the first third: always enabled, never reset
        out.append({"a": pick(), "b": pick(), "sa": int(rng.integers(0, 2)), "sb": int(rng.integers(0, 2)),
                    "ce": 0xF if calm else int(rng.integers(0, 16)) | int(rng.choice([0, 0xF], p=[0.3, 0.7])),
                    "rst": 0 if calm else int(rng.choice([0, 1, 2, 4, 8], p=[0.8, 0.05, 0.05, 0.05, 0.05]))})
    return out


def reference(setup: Setup, vecs: list[dict]) -> list[tuple[int, int]]:
    """(P just before the edge, P just after it) for every vector, from the documented register behaviour."""
    regs = {"a": (0, 0), "b": (0, 0), "pipe": 0, "out": 0}

    def outputs(v):
        a = regs["a"] if setup.inputs else (v["a"], v["sa"])
        b = regs["b"] if setup.inputs else (v["b"], v["sb"])
        product = (value(*a) * value(*b)) & MASK36
        piped = regs["pipe"] if setup.pipeline else product
        return product, piped, (regs["out"] if setup.output else piped)

    samples = []
    for v in vecs:
        ce, rst = v["ce"] >> setup.ce & 1, v["rst"] >> setup.rst & 1
        if setup.asynchronous and rst:  # an asynchronous reset acts as soon as it is applied
            regs = {"a": (0, 0), "b": (0, 0), "pipe": 0, "out": 0}
        product, piped, before = outputs(v)
        new = dict(regs)
        for on, key, d in ((setup.inputs, "a", (v["a"], v["sa"])), (setup.inputs, "b", (v["b"], v["sb"])),
                           (setup.pipeline, "pipe", product), (setup.output, "out", piped)):
            if on:
                new[key] = (0, 0) if rst and key in "ab" else 0 if rst else d if ce else regs[key]
        regs = new
        samples.append((before, outputs(v)[2]))
    return samples


def bench(vecs: list[dict]) -> str:
    def bits(name, width):
        return ", ".join(f".{name}{i}({name.lower()}[{i}])" for i in range(width))
    lines = [
        "`timescale 1ns / 1ps",
        "module tb;",
        "  reg [17:0] a = 0, b = 0; reg sa = 0, sb = 0, clk = 0; reg [3:0] ce = 4'hf, rst = 0;",
        "  wire [3:0] clks = {4{clk}};",
    ]
    for s in SETUPS:
        lines += [f"  wire [35:0] p_{s.name};",
                  f"  MULT18X18D #({s.params()}) m_{s.name} ({bits('A', 18)}, {bits('B', 18)}, "
                  f".SIGNEDA(sa), .SIGNEDB(sb), .SOURCEA(1'b0), .SOURCEB(1'b0), "
                  + ", ".join(f".CLK{i}(clks[{i}]), .CE{i}(ce[{i}]), .RST{i}(rst[{i}])" for i in range(4))
                  + ", " + ", ".join(f".P{i}(p_{s.name}[{i}])" for i in range(36)) + ");"]
    show = " ".join("%09h" for _ in SETUPS)
    names = ", ".join(f"p_{s.name}" for s in SETUPS)
    lines.append("  initial begin")
    for v in vecs:
        lines.append(f"    a = 18'h{v['a']:05x}; b = 18'h{v['b']:05x}; sa = {v['sa']}; sb = {v['sb']}; "
                     f"ce = 4'h{v['ce']:x}; rst = 4'h{v['rst']:x}; #4 $display(\"pre {show}\", {names}); "
                     f"#1 clk = 1; #4 $display(\"post {show}\", {names}); #1 clk = 0;")
    lines += ["    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


@pytest.mark.parametrize("simulator", ["verilator", "icarus"])
def test_products_and_register_timing(simulator, tmp_path):
    require(simulator)
    vecs = vectors(np.random.default_rng(7))
    run = run_bench(bench(vecs), tmp_path, simulator)
    assert run.returncode == 0, run.output
    pre, post = run.lines("pre "), run.lines("post ")
    assert len(pre) == len(post) == len(vecs)
    for index, setup in enumerate(SETUPS):
        expected = reference(setup, vecs)
        got = [(int(p.split()[index], 16), int(q.split()[index], 16)) for p, q in zip(pre, post, strict=True)]
        bad = [i for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g]
        assert not bad, (f"{setup.name}: {len(bad)} samples differ, first {bad[0]}: vector {vecs[bad[0]]}, "
                         f"expected {expected[bad[0]]}, got {got[bad[0]]}")


def test_the_reference_sees_the_corners():
    """The stream reaches every operand corner (+-2**17, 2**17 - 1, 0, -1), in each signedness."""
    vecs = vectors(np.random.default_rng(7))
    seen = {(value(v["a"], v["sa"]), value(v["b"], v["sb"])) for v in vecs}
    for a in (-(1 << 17), (1 << 17) - 1, 0, -1):
        assert any(x == a for x, _ in seen) and any(y == a for _, y in seen)
    assert any(v["sa"] == 0 and v["a"] >> 17 for v in vecs)  # an operand with its top bit set read unsigned
    assert reference(SETUPS[0], [{"a": 1 << 17, "b": 1 << 17, "sa": 1, "sb": 1, "ce": 15, "rst": 0}])[0][0] == 1 << 34


UNSUPPORTED = (
    ('.MULT_BYPASS("ENABLED")', "MULT_BYPASS"),
    ('.CAS_MATCH_REG("TRUE")', "CAS_MATCH_REG"),
    ('.SOURCEB_MODE("C_SHIFT")', "SOURCEB_MODE"),
    ('.REG_OUTPUT_CLK("CLK5")', "register clock"),
)


@pytest.mark.parametrize("param, message", UNSUPPORTED)
def test_unmodelled_settings_stop_the_simulation(param, message, tmp_path):
    require("icarus")
    run = run_instance(f"  wire [35:0] p;\n  MULT18X18D #({param}) m (.A0(1'b1), .B0(1'b1), .P0(p[0]));", tmp_path)
    assert run.returncode != 0 or "FATAL" in run.output.upper(), run.output
    assert message in run.output and "still running" not in run.output


def test_the_shift_inputs_stop_the_simulation(tmp_path):
    require("icarus")
    run = run_instance("  reg source = 0; wire [35:0] p;\n"
                       "  MULT18X18D m (.A0(1'b1), .B0(1'b1), .SOURCEA(source), .P0(p[0]));", tmp_path,
                       stimulus="#5 source = 1;")
    assert "SOURCEA/SOURCEB high" in run.output and "still running" not in run.output
