"""The DP16KD model against Lattice's documented behaviour, under both simulators, and against yosys' own
mapping of memories onto it.

Block RAMs of different set-ups (organisations x18, x9, x4, x2, x1 and mixed, write modes, REGMODE,
chip-select decode, reset mode), each holding the same random initial contents (INITVAL), see one stream of
operations on both ports: reads, writes with byte enables, clock enables, chip selects, output-register
enables, resets, and reads by one port of a word the other port writes at the same edge (a collision). A
reference here, written from the memory guide's description, says what each port's output must be before
every clock edge. A second test synthesises memories of every width with yosys' block RAM mapping, as the
boards do, and reads their contents back through the model."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import numpy as np
import pytest

from sim.tests.conftest import require

from .cellbench import run_bench, run_instance

ROWS = 1024
MASK18 = (1 << 18) - 1
#: Words of each organisation in one 18-bit row: the narrow ones use the low 8 bits of each 9-bit byte.
WORDS_PER_ROW = {18: 1, 9: 2, 4: 4, 2: 8, 1: 16}
#: The address bits below each organisation's word address.
LOW_BITS = {18: 4, 9: 3, 4: 2, 2: 1, 1: 0}


@dataclass(frozen=True)
class Setup:
    name: str
    width_a: int
    width_b: int
    writemode_a: str
    writemode_b: str
    outreg: bool
    csdecode: int
    asynchronous: bool = False

    def params(self, init: list[int]) -> str:
        items = [f".DATA_WIDTH_A({self.width_a})", f".DATA_WIDTH_B({self.width_b})",
                 f'.WRITEMODE_A("{self.writemode_a}")', f'.WRITEMODE_B("{self.writemode_b}")',
                 f'.REGMODE_A("{"OUTREG" if self.outreg else "NOREG"}")',
                 f'.REGMODE_B("{"OUTREG" if self.outreg else "NOREG"}")', f'.CSDECODE_A("0b{self.csdecode:03b}")',
                 f'.CSDECODE_B("0b{self.csdecode:03b}")', f'.RESETMODE("{"ASYNC" if self.asynchronous else "SYNC"}")']
        for group in range(64):
            value = 0
            for j in range(16):
                value |= init[group * 16 + j] << (20 * j)
            items.append(f".INITVAL_{group:02X}(320'h{value:080x})")
        return ", ".join(items)

    def width(self, port: str) -> int:
        return self.width_a if port == "a" else self.width_b


SETUPS = (
    Setup("x18", 18, 18, "NORMAL", "READBEFOREWRITE", outreg=False, csdecode=0),  # yosys infers READBEFOREWRITE
    Setup("outreg", 18, 18, "WRITETHROUGH", "NORMAL", outreg=True, csdecode=5),
    Setup("async", 18, 18, "READBEFOREWRITE", "WRITETHROUGH", outreg=False, csdecode=3, asynchronous=True),
    Setup("x9_x2", 9, 2, "READBEFOREWRITE", "WRITETHROUGH", outreg=False, csdecode=0),
    Setup("x4_x1", 4, 1, "WRITETHROUGH", "READBEFOREWRITE", outreg=True, csdecode=0),
    Setup("x2_x18", 2, 18, "READBEFOREWRITE", "READBEFOREWRITE", outreg=False, csdecode=0),
)


def place(word: int, width: int) -> tuple[int, int]:
    """(row, lowest bit in the row) of ``word`` of a ``width``-bit organisation (the memory guide's layout)."""
    per_row = WORDS_PER_ROW[width]
    row, index = divmod(word, per_row)
    if width == 18:
        return row, 0
    if width == 9:
        return row, 9 * index
    bit = index * width
    return row, bit + (1 if bit >= 8 else 0)


def masks(width: int, lowest: int, byte_enables: int) -> tuple[int, int]:
    """(write mask, word mask) in the row."""
    word = ((1 << width) - 1) << lowest
    if width == 18:
        return (0x1FF if byte_enables & 1 else 0) | (0x3FE00 if byte_enables & 2 else 0), word
    return word, word


def address(word: int, width: int, byte_enables: int) -> int:
    return (word << LOW_BITS[width]) | (byte_enables if width == 18 else 0)


def operations(rng: np.random.Generator, setup: Setup, n: int = 400) -> list[dict]:
    """Per cycle and port: word, byte enables, data, we, ce, oce, rst, cs. Port A writes only rows 0..511
    and port B only rows 512..1023 (two writes to one word are not tested), but both read anywhere, and a
    few hot rows make collisions frequent."""
    ops = []
    for i in range(n):
        cycle = {}
        for port, rows in (("a", (0, 512)), ("b", (512, ROWS))):
            width = setup.width(port)
            per_row = WORDS_PER_ROW[width]
            reading = rng.random() < 0.5
            row = int(rng.choice([3, 600])) if rng.random() < 0.4 else int(rng.integers(0, ROWS))
            if not reading and not rows[0] <= row < rows[1]:
                row = int(rng.integers(*rows))
            quiet = i < 60
            cycle[port] = {"word": row * per_row + int(rng.integers(0, per_row)),
                           "be": int(rng.integers(0, 4)) if rng.random() < 0.3 else 3,
                           "data": int(rng.integers(0, 1 << 18)), "we": int(not reading),
                           "ce": 1 if quiet else int(rng.random() < 0.9),
                           "oce": 1 if quiet else int(rng.random() < 0.8),
                           "rst": 0 if quiet else int(rng.random() < 0.04),
                           "cs": setup.csdecode if quiet or rng.random() < 0.85 else int(rng.integers(0, 8))}
        ops.append(cycle)
    return ops


def reference(setup: Setup, init: list[int], ops: list[dict], simulator: str) -> list[tuple]:
    """(DOA, DOB) before every clock edge; None where the guide leaves a value undefined (a collision),
    shown as X by Icarus and, in the model under Verilator (no X), as the inverted stored word."""
    memory = list(init)
    latch = {"a": 0, "b": 0}
    out = {"a": 0, "b": 0}
    modes = {"a": setup.writemode_a, "b": setup.writemode_b}
    samples = []
    for cycle in ops:
        if setup.asynchronous:
            for p in "ab":
                if cycle[p]["rst"]:
                    latch[p] = out[p] = 0
        samples.append(tuple((out if setup.outreg else latch)[p] for p in "ab"))
        where = {}
        for p in "ab":
            c, width = cycle[p], setup.width(p)
            row, lowest = place(c["word"], width)
            write_mask, word_mask = masks(width, lowest, c["be"])
            active = c["ce"] and c["cs"] == setup.csdecode
            where[p] = (row, lowest, write_mask, word_mask, active, active and c["we"] and write_mask != 0)
        new_latch, new_out, writes = dict(latch), dict(out), []
        for p, other in (("a", "b"), ("b", "a")):
            c, width = cycle[p], setup.width(p)
            row, lowest, write_mask, word_mask, active, writing = where[p]
            o_row, _, o_write_mask, _, _, o_writing = where[other]
            if setup.outreg:
                new_out[p] = 0 if c["rst"] else latch[p] if c["oce"] else out[p]
            old = memory[row]
            new = (old & ~write_mask) | ((c["data"] << lowest) & write_mask)
            word = lambda value: (value >> lowest) & ((1 << width) - 1)  # noqa: B023, E731
            if c["rst"]:
                new_latch[p] = 0
            elif active:
                if o_writing and o_row == row and o_write_mask & word_mask:
                    new_latch[p] = None if simulator == "icarus" else word(~old & MASK18)
                elif not writing or modes[p] == "READBEFOREWRITE":
                    new_latch[p] = word(old)
                elif modes[p] == "WRITETHROUGH":
                    new_latch[p] = word(new)
            if writing:
                writes.append((row, write_mask, new))
        for row, write_mask, new in writes:
            memory[row] = (memory[row] & ~write_mask) | (new & write_mask)
        latch, out = new_latch, new_out
    return samples


def bench(setup: Setup, init: list[int], ops: list[dict]) -> str:
    lines = ["`timescale 1ns / 1ps", "module tb;", "  reg clk = 0;"]
    ports = []
    for p, P in (("a", "A"), ("b", "B")):
        lines.append(f"  reg [13:0] address_{p} = 0; reg [17:0] data_{p} = 0; "
                     f"reg we_{p} = 0, ce_{p} = 0, oce_{p} = 0, rst_{p} = 0; reg [2:0] cs_{p} = 0;")
        ports += [f".AD{P}{i}(address_{p}[{i}])" for i in range(14)]
        ports += [f".DI{P}{i}(data_{p}[{i}])" for i in range(18)]
        ports += [f".DO{P}{i}(do_{p}[{i}])" for i in range(18)]
        ports += [f".CLK{P}(clk)", f".CE{P}(ce_{p})", f".OCE{P}(oce_{p})", f".WE{P}(we_{p})",
                  f".RST{P}(rst_{p})"] + [f".CS{P}{i}(cs_{p}[{i}])" for i in range(3)]
    lines += ["  wire [17:0] do_a, do_b;", f"  DP16KD #({setup.params(init)}) ram ({', '.join(ports)});",
              "  initial begin"]
    for cycle in ops:
        sets = " ".join(f"address_{p} = 14'h{address(c['word'], setup.width(p), c['be']):04x}; "
                        f"data_{p} = 18'h{c['data']:05x}; we_{p} = {c['we']}; ce_{p} = {c['ce']}; "
                        f"oce_{p} = {c['oce']}; rst_{p} = {c['rst']}; cs_{p} = {c['cs']};" for p, c in cycle.items())
        lines.append(f"    {sets} #4 $display(\"out %05h %05h\", do_a, do_b); #1 clk = 1; #5 clk = 0;")
    lines += ["    $finish;", "  end", "endmodule", ""]
    return "\n".join(lines)


def parse(text: str) -> int | None:
    return None if "x" in text.lower() else int(text, 16)


@pytest.mark.parametrize("simulator", ["verilator", "icarus"])
def test_reads_writes_modes_and_collisions(simulator, tmp_path):
    require(simulator)
    rng = np.random.default_rng(11)
    init = [int(x) for x in rng.integers(0, 1 << 18, size=ROWS)]
    for setup in SETUPS:
        ops = operations(rng, setup)
        run = run_bench(bench(setup, init, ops), tmp_path / setup.name, simulator)
        assert run.returncode == 0, run.output
        got = [tuple(parse(x) for x in line.split()) for line in run.lines("out ")]
        expected = reference(setup, init, ops, simulator)
        assert len(got) == len(ops)
        bad = [i for i, (e, g) in enumerate(zip(expected, got, strict=True)) if e != g]
        assert not bad, (f"{setup.name}: {len(bad)} cycles differ, first {bad[0]}: ops {ops[bad[0] - 1]}, "
                         f"expected {expected[bad[0]]}, got {got[bad[0]]}")
        # the stream exercised what it is meant to: initial contents read, writes, collisions
        assert sum(e[0] not in (None, 0) for e in expected) > 50
        collisions = sum(1 for c in ops if place(c["a"]["word"], setup.width_a)[0]
                         == place(c["b"]["word"], setup.width_b)[0] and (c["a"]["we"] or c["b"]["we"]))
        assert collisions >= 5, setup.name


@pytest.mark.parametrize("param, message", [
    (".DATA_WIDTH_A(36)", "the widths are 1, 2, 4, 9 and 18"),
    ('.REGMODE_B("PIPELINE")', "REGMODE"),
    ('.WRITEMODE_A("SOMETIMES")', "WRITEMODE"),
    ('.CLKAMUX("INV")', "inverted or constant clock"),
])
def test_unmodelled_settings_stop_the_simulation(param, message, tmp_path):
    require("icarus")
    run = run_instance(f"  wire q;\n  DP16KD #({param}) ram (.CLKA(1'b0), .DOA0(q));", tmp_path)
    assert message in run.output and "still running" not in run.output, run.output


@pytest.mark.parametrize("width, depth, organisation", [(18, 1024, 18), (9, 2048, 9), (4, 4096, 4), (2, 8192, 2),
                                                      (1, 16384, 1), (16, 1024, 18)])
def test_yosys_mapped_memories_read_back_their_contents(width, depth, organisation, tmp_path):
    """A ROM of random contents, mapped by yosys' ECP5 synthesis onto DP16KD (as the boards' memories are),
    read back word by word through the model: the model places every organisation's words in INITVAL where
    the mapping put them."""
    require("icarus")
    from amaranth.back import rtlil
    from amaranth.hdl import Module
    from amaranth.lib import memory, wiring
    from amaranth.lib.wiring import In, Out

    from boards.toolchain.runner import tool_environment

    contents = [int(x) for x in np.random.default_rng(width).integers(0, 1 << width, size=depth)]

    class Rom(wiring.Component):
        def __init__(self):
            super().__init__({"addr": In(range(depth)), "data": Out(width)})

        def elaborate(self, platform):
            m = Module()
            m.submodules.rom = rom = memory.Memory(shape=width, depth=depth, init=contents)
            port = rom.read_port()
            m.d.comb += [port.addr.eq(self.addr), self.data.eq(port.data)]
            return m

    (tmp_path / "rom.il").write_text(rtlil.convert(Rom(), name="rom"))
    env = tool_environment()
    subprocess.run([env["YOSYS"], "-q", "-p", "read_rtlil rom.il; synth_ecp5 -top rom; "
                    "write_verilog -noattr rom_netlist.v"], cwd=tmp_path, env=env, check=True)
    netlist = (tmp_path / "rom_netlist.v").read_text()
    assert f".DATA_WIDTH_A(32'd{organisation})" in netlist  # one block RAM in the organisation under test
    bits = (depth - 1).bit_length()
    reads = "\n".join(f"    addr = {a}; #1 clk = 1; #1 $display(\"word %0d %h\", {a}, data); #3 clk = 0; #5;"
                      for a in range(depth))
    bench_text = (netlist + "\n`timescale 1ns / 1ps\nmodule tb;\n"
                  f"  reg clk = 0, rst = 0; reg [{bits - 1}:0] addr = 0; wire [{width - 1}:0] data;\n"
                  "  rom dut (.clk(clk), .rst(rst), .addr(addr), .data(data));\n"
                  f"  initial begin\n{reads}\n    $finish;\n  end\nendmodule\n")
    from gatesim.library import cell_library

    library = cell_library(tmp_path / "cells")
    image = tmp_path / "tb.vvp"
    (tmp_path / "tb.v").write_text(bench_text)
    subprocess.run(["iverilog", "-g2012", "-DNO_INCLUDES", "-s", "tb", "-o", str(image), *map(str, library),
                    str(tmp_path / "tb.v")], check=True, capture_output=True, text=True)
    done = subprocess.run(["vvp", "-n", str(image)], capture_output=True, text=True)
    words = {int(a): int(v, 16) for a, v in (line.split()[1:] for line in done.stdout.splitlines()
                                             if line.startswith("word "))}
    assert len(words) == depth
    bad = [a for a in range(depth) if words[a] != contents[a]]
    assert not bad, f"{len(bad)} of {depth} words differ, first at {bad[0]}: {words[bad[0]]:x} != {contents[bad[0]]:x}"
