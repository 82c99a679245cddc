"""The mapped ECP5 netlist of the signal path, synthesised the way the board build synthesises it.

The board runs yosys' mapped netlist, not the Verilog the RTL simulations run: on an ECP5 platform each
lane instantiates its MULT18X18D itself (``rtl/multiplier.py``), and yosys maps the memories onto DP16KD
block RAMs. :func:`synthesize` elaborates :class:`rtl.waveshaper.Waveshaper` (the front end and the network,
what the board puts in its ``network`` clock domain) for the board's own amaranth platform, so
``platform.family == "ecp5"`` selects the instantiated blocks, and runs the board build's yosys script on it:
the same ``script_after_read`` and ``synth_ecp5`` options (:func:`boards.toolchain.runner.yosys_overrides`),
laid out as amaranth's ECP5 template lays them out (a test renders the template and compares). yosys then
writes the mapped design as ``top.json`` (what nextpnr reads) and as a flat structural Verilog netlist of
LUT4, CCU2C, TRELLIS_FF, PFUMX/L6MUX21, TRELLIS_DPR16X4, DP16KD and MULT18X18D instances
(``write_verilog -noattr``), which :mod:`gatesim.bench` simulates.

The one difference from the board's netlist is the coefficient memories' contents: the board build routes
random template words and patches the weights in afterwards (``boards/toolchain/weight_swap.py``, checked
word for word by reading them back), while this netlist is synthesised with the weights themselves, so the
simulation plays the trained network. The contents of a memory change no logic.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from boards.toolchain.runner import tool_environment, yosys_overrides

__all__ = ["MODULE", "Netlist", "NetlistError", "synthesize", "yosys_script"]

#: Module name of the netlist's top level (the name the simulation harness expects).
MODULE = "network"


class NetlistError(RuntimeError):
    """yosys could not synthesise the design; the message names the log."""


@dataclass(frozen=True)
class Netlist:
    """A synthesised signal path: the structural Verilog, nextpnr's JSON and the cells each holds."""

    verilog: Path
    json: Path
    #: Cell type -> count, as the mapped netlist holds them.
    cells: dict[str, int]
    synthesis_seconds: float


def yosys_script(name: str) -> str:
    """The board build's yosys script for a top level ``name`` (amaranth's ECP5 template with the board
    build's overrides), followed by the structural Verilog netlist."""
    overrides = yosys_overrides(name)
    return "\n".join([
        f"read_rtlil {name}.il",
        overrides["script_after_read"],
        f"synth_ecp5 {overrides['synth_opts']} -top {name}",
        f"write_json {name}.json",
        f"write_verilog -noattr {name}_netlist.v",
    ]) + "\n"


def cell_counts(netlist_json: Path, module: str = MODULE) -> dict[str, int]:
    """Cell type -> count in ``module`` of a yosys JSON netlist (``$scopeinfo``, yosys' record of the
    design's hierarchy, is no cell and not counted)."""
    design = json.loads(netlist_json.read_text())
    cells = design["modules"][module]["cells"].values()
    return dict(sorted(Counter(cell["type"] for cell in cells if cell["type"] != "$scopeinfo").items()))


def synthesize(net, plan, board, out_dir: str | Path, *, progress=print) -> Netlist:
    """Synthesise ``net`` (a :class:`~quantize.weights.QuantizedNetwork`) with ``plan`` for ``board`` (a
    :class:`~boards.registry.BoardSpec`) into ``out_dir``; returns the :class:`Netlist`."""
    import time

    from amaranth.back import rtlil

    from rtl.waveshaper import Waveshaper

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    platform = board.platform()
    if getattr(platform, "family", None) != "ecp5":
        raise NetlistError(f"board {board.name}: its platform is not an ECP5 one")
    env = tool_environment()
    start = time.monotonic()
    progress(f"gatesim: elaborating the signal path for {board.name} ({platform.device})")
    (out_dir / f"{MODULE}.il").write_text(rtlil.convert(Waveshaper(net, plan), name=MODULE, platform=platform))
    (out_dir / f"{MODULE}.ys").write_text(yosys_script(MODULE))
    progress(f"gatesim: yosys synth_ecp5 in {out_dir} ...")
    log = out_dir / f"{MODULE}.rpt"
    done = subprocess.run([env["YOSYS"], "-q", "-l", log.name, f"{MODULE}.ys"], cwd=out_dir, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-10:])
        raise NetlistError(f"yosys failed (exit {done.returncode}); log {log}:\n{tail}")
    json_path, verilog = out_dir / f"{MODULE}.json", out_dir / f"{MODULE}_netlist.v"
    return Netlist(verilog, json_path, cell_counts(json_path), round(time.monotonic() - start, 1))
