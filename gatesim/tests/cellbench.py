"""Compile and run a self-contained Verilog testbench of the cell models under Verilator or Icarus.

The testbenches (written by the tests) drive a cell from vectors built into their text and ``$display`` one
line per sample; the tests compute what each line must say with their own Python reference of Lattice's
documented behaviour and compare. A model that stops at its start (``$fatal``) makes the run fail with
its message in the output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from gatesim.library import CELLS, VERILATOR_ARGS

__all__ = ["BenchRun", "run_bench", "run_instance"]


@dataclass
class BenchRun:
    returncode: int
    output: str

    def lines(self, prefix: str) -> list[str]:
        return [line[len(prefix):].strip() for line in self.output.splitlines() if line.startswith(prefix)]


def _verilator(bench: Path, work: Path) -> list[str]:
    verilator = shutil.which("verilator")
    if verilator is None:
        raise FileNotFoundError("verilator is not on PATH")
    subprocess.run([verilator, "--binary", "--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style", *VERILATOR_ARGS,
                    "-CFLAGS", "-std=c++20 -fcoroutines -O0", "-MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include",
                    "--top-module", "tb", "-Mdir", str(work / "obj"), "-o", "tb",
                    str(CELLS / "mult18x18d.v"), str(CELLS / "dp16kd.v"), str(bench)],
                   check=True, capture_output=True, text=True, env=os.environ)
    return [str(work / "obj" / "tb")]


def _icarus(bench: Path, work: Path) -> list[str]:
    image = work / "tb.vvp"
    subprocess.run(["iverilog", "-g2012", "-s", "tb", "-o", str(image), str(CELLS / "mult18x18d.v"),
                    str(CELLS / "dp16kd.v"), str(bench)], check=True, capture_output=True, text=True)
    return ["vvp", "-n", str(image)]


def run_bench(text: str, work: Path, simulator: str) -> BenchRun:
    """Write testbench ``text`` (top module ``tb``) into ``work``, build it with the cell models and run it."""
    work.mkdir(parents=True, exist_ok=True)
    bench = work / "tb.v"
    bench.write_text(text)
    try:
        command = (_verilator if simulator == "verilator" else _icarus)(bench, work)
    except subprocess.CalledProcessError as exc:
        raise AssertionError(f"{simulator} could not build the testbench:\n{exc.stdout}\n{exc.stderr}") from exc
    done = subprocess.run(command, capture_output=True, text=True, cwd=work)
    return BenchRun(done.returncode, done.stdout + done.stderr)


def run_instance(instance: str, work: Path, *, stimulus: str = "", simulator: str = "icarus") -> BenchRun:
    """A testbench of one cell ``instance`` (with the declarations it needs before it) that prints "still
    running" 10 ns after ``stimulus``: a model that stops at its start never prints it."""
    text = (f"`timescale 1ns / 1ps\nmodule tb;\n{instance}\n"
            f"  initial begin {stimulus} #10 $display(\"still running\"); $finish; end\nendmodule\n")
    return run_bench(text, work, simulator)

