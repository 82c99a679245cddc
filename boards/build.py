"""``python -m boards build``: plan, elaborate and place-and-route the network's top level for one board.

Order of work (cheap checks first, so a bad request fails in a second, not after synthesis):

1. Board and weights: :func:`~boards.registry.get_board`, ``QuantizedNetwork.load(weights)``.
2. Network plan at the board's real clocks (:func:`boards.plan.plan_for_board`): the achieved sample rate
   must be within 2 % of the trained one and the network must fit the spare multipliers, else
   :class:`BuildError` with the reason.
3. :class:`~boards.audio_edge.top.NetworkTop` built by amaranth's ``platform.build()`` with the YoWASP
   tools (:func:`boards.toolchain.runner.run_platform_build`); the timing verdict is parsed from the log's
   final (post-route) figures.
4. ``build/<board>/top.bit`` and ``build/<board>/report.json``; a :class:`BuildError` if timing is not met
   (unless ``allow_timing_fail``), after the report is written so it can be inspected.
5. A board loaded by a bootloader (``BoardSpec.archive``, Tiliqua) also gets its archive beside the
   bitstream, named in the report as ``archive``, when timing is met (its fields are checked in step 1).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .plan import plan_for_board
from .registry import get_board
from .toolchain.runner import BuildError, run_platform_build, tool_environment

__all__ = ["BuildError", "BuildResult", "build_board"]


@dataclass
class BuildResult:
    bitstream: Path
    report_path: Path
    report: dict[str, Any]


def build_board(board_name: str, network, *, out_root: str | Path = "build", allow_timing_fail: bool = False,
                network_component=None, progress=print) -> BuildResult:
    """Build ``network`` (a :class:`~quantize.weights.QuantizedNetwork`) for ``board_name``.

    ``network_component`` replaces the generated network (tests). Returns the paths and the report dict.
    """
    start = time.monotonic()
    board = get_board(board_name)
    if board.platform is None:
        raise BuildError(f"board {board_name} has no platform definition")
    config = network.config
    plan = plan_for_board(config, board)
    if board.archive is not None:
        try:
            board.archive.check(config)
        except ValueError as exc:
            raise BuildError(f"{board.name}: the bitstream archive would be refused: {exc}") from exc
    env = tool_environment()
    progress(f"{board.name}: sync {board.sys_clock_hz / 1e6:.3f} MHz, audio {board.audio_clock_hz / 1e6:.4f} MHz "
             f"(fs {board.sample_rate_hz:.1f} Hz), plan {plan.cycles_per_sample}/{plan.cycle_budget} cycles, "
             f"{plan.multipliers} network multipliers")

    from .audio_edge.top import NetworkTop, make_network

    component = network_component if network_component is not None else make_network(network, plan)
    top = NetworkTop(config, component, board=board, dry_depth=plan.latency_samples + 2)
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
        "sync_clock_hz": board.sync_clock_hz,
        "audio_clock_hz": board.audio_clock_hz,
        "sample_rate_hz": board.sample_rate_hz,
        "sample_rate_error": board.sample_rate_hz / config.sample_rate_hz - 1,
        "cycle_budget": plan.cycle_budget,
        "cycles_per_sample": plan.cycles_per_sample,
        "network_multipliers": plan.multipliers,
        "latency_samples": plan.latency_samples,
        "pll": board.pll.summary(),
        "build_seconds": round(seconds, 1),
    }
    if board.archive is not None and (pnr.timing_met or allow_timing_fail):
        archive = board.archive.write(config, out_dir / "top.bit")
        report["archive"] = str(archive)
        progress(f"{board.name}: bitstream archive {archive}")
    report_path = out_dir / "report.json"
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    result = BuildResult(out_dir / "top.bit", report_path, report)
    if not pnr.timing_met and not allow_timing_fail:
        failing = ", ".join(f"{name}: {t.fmax_mhz:.2f} MHz < {t.target_mhz:.2f} MHz"
                            for name, t in pnr.clocks.items() if not t.passed)
        raise BuildError(f"timing not met on {board.name} ({failing}); report in {report_path}; "
                         f"pass --allow-timing-fail to keep the bitstream anyway")
    return result
