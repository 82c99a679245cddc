"""Run a mapped netlist (or several) under cocotb against the golden model, sample by sample.

The netlist is a drop-in for the generated Verilog: its top level keeps the stream ports of
``rtl.generate`` (``clk``, ``rst``, ``i__*``, ``o__*``), so :class:`sim.runner.Simulation` builds it with the
same harness, with the cell models of :func:`gatesim.library.cell_library` beside it, and
:func:`sim.check.check_design` streams the stimulus through it, compares every output sample with
:func:`quantize.golden.run_waveshaper` as integers and measures the cycles between input handshakes (which
must equal the plan's). A netlist has no per-layer debug ports, so a mismatch is reported by sample and
output channel; ``python -m sim --serial`` on the RTL names the layer.
"""

from __future__ import annotations

from pathlib import Path

from sim.check import CheckResult, check_design
from sim.runner import Simulation

from .library import DEFINES, VERILATOR_ARGS, cell_library
from .netlist import MODULE

__all__ = ["netlist_simulation", "check_netlist"]


def netlist_simulation(netlists: list[Path], build_dir: str | Path, *, simulator: str, lane_width: int,
                       modules: list[str] | None = None, cxx_opt: str = "1") -> Simulation:
    """One simulator build of ``netlists`` (module ``modules``, default :data:`~gatesim.netlist.MODULE`
    each) with the cell library; built before it is returned."""
    build_dir = Path(build_dir)
    modules = modules or [MODULE] * len(netlists)
    sim = Simulation(list(netlists), build_dir, module=modules, simulator=simulator, lane_width=lane_width,
                     cxx_opt=cxx_opt, libraries=tuple(cell_library(build_dir / "cells")), defines=DEFINES,
                     verilator_args=VERILATOR_ARGS)
    sim.build()
    return sim


def check_netlist(sim: Simulation, net, plan, codes, *, design: int = 0, progress: bool = False,
                  golden=None) -> CheckResult:
    """Stream ``codes`` through design ``design`` of ``sim`` and compare with the golden model."""
    return check_design(sim, net, plan, codes, design=design, progress=progress, golden=golden, diagnose=False)
