"""``build``: the datalogger bitstream for a board, with the rate plan checked before synthesis.

Everything but the top level comes from ``boards/``: the board registry (part, platform, clock plan), the
codec edge (clocks, eurorack-pmod driver, pins) and the toolchain run (YoWASP tools, LUT mapping, nextpnr
report). Products go to ``build/<board>/datalogger/`` (``datalogger.bit``, ``report.json``) so they never
overwrite the network's ``build/<board>/top.bit``.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction
from pathlib import Path

from boards.eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ

from .fir import design_coefficients
from .rate_plan import RatePlan, RatePlanError, plan

__all__ = ["BuildError", "board_plan", "build_datalogger", "parse_channels"]


class BuildError(RuntimeError):
    pass


def parse_channels(text: str) -> tuple[int, ...]:
    try:
        channels = tuple(int(c) for c in text.split(","))
    except ValueError:
        raise RatePlanError(f"--channels takes input jack indices 0-3 separated by commas, got {text!r}") from None
    if not channels or len(set(channels)) != len(channels) or not all(0 <= c <= 3 for c in channels):
        raise RatePlanError(f"--channels takes distinct input jack indices 0-3, got {text!r}")
    return channels


def board_plan(board_name: str, channels: tuple[int, ...], sample_rate_hz: int, *, baud: int | None = None,
               samples_per_frame: int = 256, max_link_use: float = 0.9) -> tuple[object, RatePlan, list[int] | None]:
    """The board spec, the checked rate plan and the FIR coefficients (None without decimation)."""
    from boards.registry import get_board

    board = get_board(board_name)
    if board.platform is None:
        raise BuildError(f"board {board_name} has no platform definition in boards/defs/ (cannot build)")
    link = board.serial_link
    if link is None:
        raise BuildError(f"board {board_name} names no USB-serial link (serial_link in boards/defs/{board_name}.py)")
    baud = link.max_baud if baud is None else baud
    if sample_rate_hz <= 0 or CODEC_SAMPLE_RATE_HZ % sample_rate_hz:
        raise RatePlanError(f"--rate must divide the codec's {CODEC_SAMPLE_RATE_HZ} Hz by an integer, "
                            f"got {sample_rate_hz}")
    decimation = CODEC_SAMPLE_RATE_HZ // sample_rate_hz
    coeffs = design_coefficients(decimation) if decimation > 1 else None
    p = plan(channels=len(channels), codec_rate_hz=CODEC_SAMPLE_RATE_HZ, sample_rate_hz=sample_rate_hz,
             baud=baud, clock_hz=Fraction(board.pll.sync_hz), samples_per_frame=samples_per_frame,
             fir_taps=len(coeffs) if coeffs else 0, max_link_use=max_link_use, max_baud=link.max_baud,
             codec_rate_actual_hz=float(board.sample_rate_hz))
    return board, p, coeffs


def build_datalogger(board_name: str, channels: tuple[int, ...], sample_rate_hz: int, *, baud: int | None = None,
                     samples_per_frame: int = 256, max_link_use: float = 0.9, out_root: str | Path = "build",
                     allow_timing_fail: bool = False, progress=print) -> dict:
    from boards.toolchain.runner import BuildError as BoardBuildError
    from boards.toolchain.runner import run_platform_build, tool_environment

    from .gateware.top import DataloggerTop

    start = time.monotonic()
    board, p, coeffs = board_plan(board_name, channels, sample_rate_hz, baud=baud,
                                  samples_per_frame=samples_per_frame, max_link_use=max_link_use)
    progress(f"rate plan OK: {p.summary()}")
    env = tool_environment()
    top = DataloggerTop(board, p, channels, coeffs=coeffs)
    out_dir = Path(out_root) / board.name / "datalogger"
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        pnr = run_platform_build(board, top, "datalogger", out_dir, env, progress=progress)
    except BoardBuildError as exc:
        raise BuildError(str(exc)) from exc
    link = board.serial_link
    report = {
        "board": board.name, "bitstream": str(out_dir / "datalogger.bit"),
        "channels": list(channels), "rate_plan": p.as_dict(), "rate_plan_summary": p.summary(),
        "link": {"chip": link.chip, "max_baud": link.max_baud, "note": link.note},
        "fir_taps": len(coeffs) if coeffs else 0,
        "utilisation": pnr.utilisation_dict(),
        "clocks": {name: t.to_dict() for name, t in pnr.clocks.items()},
        "timing_met": pnr.timing_met, "build_seconds": round(time.monotonic() - start, 1),
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    if not pnr.timing_met and not allow_timing_fail:
        raise BuildError(f"timing not met on {board.name}: {report['clocks']}; see {out_dir / 'report.json'}")
    return report
