"""The DP16KD model against Lattice's documented behaviour, under both simulators.

Three block RAMs of different set-ups (write modes, REGMODE, chip-select decode, reset mode), each holding
the same random initial contents (INITVAL), see one stream of operations on both ports: reads, writes
with byte enables, clock enables, chip selects, output-register enables, resets, and reads by one port of
a word the other port writes at the same edge (a collision). A reference here, written from the memory
guide's description, says what each port's output must be before every clock edge."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sim.tests.conftest import require

from .cellbench import run_bench

MASK = (1 << 18) - 1
WORDS = 1024


@dataclass(frozen=True)
class Setup:
    name: str
    writemode_a: str
    writemode_b: str
    outreg: bool
    csdecode: int
    asynchronous: bool = False

    def params(self, init: list[int]) -> str:
        items = ['.DATA_WIDTH_A(18)', '.DATA_WIDTH_B(18)', f'.WRITEMODE_A("{self.writemode_a}")',
                 f'.WRITEMODE_B("{self.writemode_b}")', f'.REGMODE_A("{"OUTREG" if self.outreg else "NOREG"}")',
                 f'.REGMODE_B("{"OUTREG" if self.outreg else "NOREG"}")', f'.CSDECODE_A("0b{self.csdecode:03b}")',
                 f'.CSDECODE_B("0b{self.csdecode:03b}")', f'.RESETMODE("{"ASYNC" if self.asynchronous else "SYNC"}")']
        for row in range(64):
            value = 0
            for j in range(16):
                value |= init[row * 16 + j] << (20 * j)
            items.append(f".INITVAL_{row:02X}(320'h{value:080x})")
        return ", ".join(items)


SETUPS = (
    Setup("normal", "NORMAL", "READBEFOREWRITE", outreg=False, csdecode=0),  # what yosys infers: READBEFOREWRITE
    Setup("outreg", "WRITETHROUGH", "NORMAL", outreg=True, csdecode=5),
    Setup("async", "READBEFOREWRITE", "WRITETHROUGH", outreg=False, csdecode=3, asynchronous=True),
)


def operations(rng: np.random.Generator, n: int = 500) -> list[dict]:
    """Per cycle and port: word, byte enables, data, we, ce, oce, rst, cs. Port A writes only the lower half
    and port B only the upper half (two writes to one word are not tested), but both read anywhere, and a
    small hot set of words makes collisions frequent."""
    ops = []
    hot = [3, 7, 600, 601]
    for i in range(n):
        cycle = {}
        for port, (lo, hi) in (("a", (0, 512)), ("b", (512, WORDS))):
            reading = rng.random() < 0.5
            word = int(rng.choice(hot)) if rng.random() < 0.4 else int(rng.integers(0, WORDS))
            if not reading:
                word = word if lo <= word < hi else int(rng.integers(lo, hi))
            quiet = i < 60
            cycle[port] = {"word": word, "be": int(rng.integers(0, 4)) if rng.random() < 0.3 else 3,
                           "data": int(rng.integers(0, 1 << 18)), "we": int(not reading),
                           "ce": 1 if quiet else int(rng.random() < 0.9),
                           "oce": 1 if quiet else int(rng.random() < 0.8),
                           "rst": 0 if quiet else int(rng.random() < 0.04), "cs": int(rng.integers(0, 8))}
        ops.append(cycle)
    return ops


def reference(setup: Setup, init: list[int], ops: list[dict], simulator: str) -> list[tuple]:
    """(DOA, DOB) before every clock edge; None where the guide leaves a value undefined (a collision),
    shown as X by Icarus and, in the model under Verilator (no X), as the inverted stored word."""
    memory = list(init)
    latch = {"a": 0, "b": 0}
    out = {"a": 0, "b": 0}
    modes = {"a": setup.writemode_a, "b": setup.writemode_b}

    def undefined(old):
        return None if simulator == "icarus" else ~old & MASK

    samples = []
    for cycle in ops:
        if setup.asynchronous:
            for p in "ab":
                if cycle[p]["rst"]:
                    latch[p] = out[p] = 0
        samples.append(tuple((out if setup.outreg else latch)[p] for p in "ab"))
        active = {p: cycle[p]["ce"] and cycle[p]["cs"] == setup.csdecode for p in "ab"}
        writes = {p: active[p] and cycle[p]["we"] and cycle[p]["be"] != 0 for p in "ab"}
        new_latch, new_out, writes_done = dict(latch), dict(out), []
        for p, other in (("a", "b"), ("b", "a")):
            c = cycle[p]
            if setup.outreg:
                new_out[p] = 0 if c["rst"] else latch[p] if c["oce"] else out[p]
            old = memory[c["word"]]
            mask = (0x1FF if c["be"] & 1 else 0) | (0x3FE00 if c["be"] & 2 else 0)
            new = (old & ~mask) | (c["data"] & mask)
            if c["rst"]:
                new_latch[p] = 0
            elif active[p]:
                if writes[other] and cycle[other]["word"] == c["word"]:
                    new_latch[p] = undefined(old)
                elif not writes[p]:
                    new_latch[p] = old
                elif modes[p] == "WRITETHROUGH":
                    new_latch[p] = new
                elif modes[p] == "READBEFOREWRITE":
                    new_latch[p] = old
            if writes[p]:
                writes_done.append((c["word"], new))
        for word, new in writes_done:
            memory[word] = new
        latch, out = new_latch, new_out
    return samples


def bench(init: list[int], ops: list[dict]) -> str:
    lines = ["`timescale 1ns / 1ps", "module tb;", "  reg clk = 0;"]
    for p in "ab":
        lines.append(f"  reg [9:0] word_{p} = 0; reg [1:0] be_{p} = 0; reg [17:0] data_{p} = 0; "
                     f"reg we_{p} = 0, ce_{p} = 0, oce_{p} = 0, rst_{p} = 0; reg [2:0] cs_{p} = 0;")
    for s in SETUPS:
        ports = []
        for p, P in (("a", "A"), ("b", "B")):
            address = [f"be_{p}[0]", f"be_{p}[1]", "1'b0", "1'b0"] + [f"word_{p}[{i}]" for i in range(10)]
            ports += [f".AD{P}{i}({sig})" for i, sig in enumerate(address)]
            ports += [f".DI{P}{i}(data_{p}[{i}])" for i in range(18)]
            ports += [f".DO{P}{i}(do{p}_{s.name}[{i}])" for i in range(18)]
            ports += [f".CLK{P}(clk)", f".CE{P}(ce_{p})", f".OCE{P}(oce_{p})", f".WE{P}(we_{p})",
                      f".RST{P}(rst_{p})"] + [f".CS{P}{i}(cs_{p}[{i}])" for i in range(3)]
        lines += [f"  wire [17:0] doa_{s.name}, dob_{s.name};",
                  f"  DP16KD #({s.params(init)}) ram_{s.name} ({', '.join(ports)});"]
    show = " ".join("%05h %05h" for _ in SETUPS)
    names = ", ".join(f"doa_{s.name}, dob_{s.name}" for s in SETUPS)
    lines.append("  initial begin")
    for cycle in ops:
        sets = " ".join(f"word_{p} = {c['word']}; be_{p} = {c['be']}; data_{p} = 18'h{c['data']:05x}; "
                        f"we_{p} = {c['we']}; ce_{p} = {c['ce']}; oce_{p} = {c['oce']}; rst_{p} = {c['rst']}; "
                        f"cs_{p} = {c['cs']};" for p, c in cycle.items())
        lines.append(f"    {sets} #4 $display(\"out {show}\", {names}); #1 clk = 1; #5 clk = 0;")
    lines += ["    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


def parse(text: str) -> int | None:
    return None if "x" in text.lower() else int(text, 16)


@pytest.mark.parametrize("simulator", ["verilator", "icarus"])
def test_reads_writes_modes_and_collisions(simulator, tmp_path):
    require(simulator)
    rng = np.random.default_rng(11)
    init = [int(x) for x in rng.integers(0, 1 << 18, size=WORDS)]
    # the chip selects match each set-up's decode most of the time
    ops = operations(rng)
    for i, cycle in enumerate(ops):
        for p in "ab":
            if i < 60 or rng.random() < 0.85:
                cycle[p]["cs"] = SETUPS[i % len(SETUPS)].csdecode if i >= 60 else 0
    run = run_bench(bench(init, ops), tmp_path, simulator)
    assert run.returncode == 0, run.output
    lines = run.lines("out ")
    assert len(lines) == len(ops)
    for index, setup in enumerate(SETUPS):
        expected = reference(setup, init, ops, simulator)
        got = [tuple(parse(x) for x in line.split()[2 * index:2 * index + 2]) for line in lines]
        bad = [i for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g]
        assert not bad, (f"{setup.name}: {len(bad)} cycles differ, first {bad[0]}: ops {ops[bad[0] - 1]}, "
                         f"expected {expected[bad[0]]}, got {got[bad[0]]}")
        if index == 0:  # the stream reads initial contents through port A's plain (NOREG) output
            assert sum(e[0] == init[ops[i - 1]["a"]["word"]] for i, e in enumerate(expected) if i) > 20
    collisions = sum(1 for c in ops if c["a"]["we"] and c["b"]["word"] == c["a"]["word"]
                     or c["b"]["we"] and c["a"]["word"] == c["b"]["word"])
    assert collisions >= 5


def test_the_initial_contents_are_read_back(tmp_path):
    """Every word of INITVAL read through port A, in order: the 20-bit padding of each word is honoured."""
    require("icarus")
    rng = np.random.default_rng(5)
    init = [int(x) for x in rng.integers(0, 1 << 18, size=WORDS)]
    ops = [{p: {"word": w, "be": 3, "data": 0, "we": 0, "ce": 1, "oce": 1, "rst": 0, "cs": 0} for p in "ab"}
           for w in range(WORDS)] + [{p: {"word": 0, "be": 3, "data": 0, "we": 0, "ce": 0, "oce": 1, "rst": 0,
                                          "cs": 0} for p in "ab"}]
    run = run_bench(bench(init, ops), tmp_path, "icarus")
    lines = run.lines("out ")
    assert [parse(line.split()[0]) for line in lines[1:]] == init


@pytest.mark.parametrize("param, message", [
    (".DATA_WIDTH_A(9)", "only the x18 organisation is modelled"),
    ('.REGMODE_B("PIPELINE")', "REGMODE"),
    ('.WRITEMODE_A("SOMETIMES")', "WRITEMODE"),
    ('.CLKAMUX("INV")', "inverted or constant clock"),
])
def test_unmodelled_settings_stop_the_simulation(param, message, tmp_path):
    require("icarus")
    text = ("`timescale 1ns / 1ps\nmodule tb;\n  wire q;\n"
            f"  DP16KD #({param}) ram (.CLKA(1'b0), .DOA0(q));\n"
            "  initial begin #10 $display(\"still running\"); $finish; end\nendmodule\n")
    run = run_bench(text, tmp_path, "icarus")
    assert message in run.output and "still running" not in run.output, run.output
