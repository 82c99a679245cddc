"""``python -m bitstream build``: plan, elaborate and place-and-route the network's top level for one board, or
patch new weights into the routed design of the same shape in seconds.

Order of work (cheap checks first, so a bad request fails in a second, not after synthesis):

1. Board and weights: :func:`~boards.registry.get_board`, ``QuantizedNetwork.load(weights)``.
2. Network plan at the board's real clocks (:func:`bitstream.plan.plan_for_board`): the achieved sample rate
   must be within 2 % of the trained one and the network must fit the spare multipliers, block RAM and
   LUTs, else :class:`BuildError` with the reason.
3. The routed template (:mod:`bitstream.template`): when ``build/<board>/template/`` holds one whose key (network
   shape, plan, board, generator sources, tools) matches, there is nothing to synthesise or route: go to
   step 5. Otherwise the build says why (what changed) and does the full build:
4. :class:`~bitstream.top.NetworkTop` with the template's random coefficient words, built by
   amaranth's ``platform.build()`` with the YoWASP tools (:func:`boards.toolchain.runner.run_platform_build`);
   the timing verdict is parsed from the log's final (post-route) figures; the routed configuration, the
   template's words and the report are kept as the new template.
5. The weights are patched into the template's block RAMs and packed
   (:mod:`boards.toolchain.weight_swap`), and read back out of the patched configuration word for word
   before the bitstream is written: ``build/<board>/top.bit`` and ``build/<board>/report.json``; a
   :class:`BuildError` if timing is not met (unless ``allow_timing_fail``), after the report is written.
6. A board loaded by a bootloader (``BoardSpec.archive``, Tiliqua) also gets its archive beside the
   bitstream, named in the report as ``archive``, when timing is met (its fields are checked in step 1).

Every report gives each clock's post-route Fmax and slack (MHz, ns and per cent of the period,
:mod:`boards.toolchain.report`), its critical path, the part and the ``timing_model`` nextpnr timed it with
(``8_5G`` for the ECPIX-5's LFE5UM5G, else the speed grade: :attr:`common.devices.Device.timing_model`),
and ``plays``: what the bitstream plays (:mod:`bitstream.plays`). Two options place and route the same
synthesised netlist again after a full build (:func:`~boards.toolchain.runner.place_and_route_again`):
``cross_check_timing`` for the part's conservative twin (the LFE5UM of speed grade 8 for a 5G part), reported
as ``cross_check`` beside the main figures (the verdict stays the part's own), and ``seeds`` for other placer
seeds, reported as ``seeds``. A stored template without them is built again when they are asked for.
"""

from __future__ import annotations

import json
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from boards.registry import get_board
from boards.toolchain import weight_swap
from boards.toolchain.runner import BuildError, place_and_route_again, run_platform_build, tool_environment

from .archive import archive_fields
from .plan import plan_for_board
from .plays import plays
from .template import TEMPLATE_SEED, Template, describe_change, find_template, mark_last, template_key_parts

__all__ = ["BuildError", "BuildResult", "build_board"]

#: The tools of the weight swap: (environment variable, default: YoWASP's, ecpbram with its database).
SWAP_TOOLS = {"ecpbram": ("ECPBRAM", weight_swap.ECPBRAM), "ecpunpack": ("ECPUNPACK", "yowasp-ecpunpack")}


@dataclass
class BuildResult:
    bitstream: Path
    report_path: Path
    report: dict[str, Any]


def swap_tool(env: dict[str, str], name: str) -> str:
    """The command of a weight-swap tool (``ecpbram``, ``ecpunpack``, ``ecppack``) in ``env``."""
    if name == "ecppack":
        return env.get("ECPPACK", "yowasp-ecppack")
    var, default = SWAP_TOOLS[name]
    return env.get(var, default)


def _ecppack_options(script: Path, name: str) -> list[str]:
    """The ecppack options of amaranth's build script (the board's ``ecppack_opts``), without the files."""
    for line in script.read_text().splitlines():
        words = shlex.split(line)
        if "--input" in words and "--bit" in words and f"{name}.config" in words:
            options = words[1:words.index("--input")]
            return [w for w in options if w != "--verbose"]
    raise BuildError(f"no ecppack command in {script}")


def _plan_figures(plan) -> dict[str, Any]:
    return {
        "network_clock_hz": plan.clock_hz,
        "cycle_budget": plan.cycle_budget,
        "cycles_per_sample": plan.cycles_per_sample,
        "network_multipliers": plan.multipliers,
        "latency_samples": plan.latency_samples,
        "capacity": plan.capacity_dict(),
        "estimate": plan.estimate.to_dict() if plan.estimate is not None else None,
    }


def build_board(board_name: str, network, *, out_root: str | Path = "build", allow_timing_fail: bool = False,
                network_component=None, full: bool = False, cross_check_timing: bool = False,
                seeds: tuple[int, ...] = (), weights_dir: str | Path | None = None, progress=print) -> BuildResult:
    """Build ``network`` (a :class:`~quantize.weights.QuantizedNetwork`) for ``board_name``.

    ``network_component`` replaces the generated network (tests): it is built as it is, without a template
    or a weight swap. ``full`` rebuilds the template even when the stored one matches. ``cross_check_timing``
    and ``seeds``: see the module docstring. ``weights_dir``: where ``network`` was loaded from, to find its
    training report (the test SNR in ``plays``). Returns the paths and the report dict.
    """
    start = time.monotonic()
    board = get_board(board_name)
    if board.platform is None:
        raise BuildError(f"board {board_name} has no platform definition")
    seeds = tuple(seeds)
    if any(not isinstance(seed, int) or isinstance(seed, bool) or seed < 1 for seed in seeds) \
            or len(set(seeds)) != len(seeds):
        raise BuildError(f"seeds: distinct positive integers, got {list(seeds)}")
    config = network.config
    plan = plan_for_board(config, board)
    played = plays(config, plan, board, weights_dir=weights_dir)
    if board.archive is not None:
        try:
            board.archive.check(**archive_fields(config, played))
        except ValueError as exc:
            raise BuildError(f"{board.name}: the bitstream archive would be refused: {exc}") from exc
    env = tool_environment()
    out_dir = Path(out_root) / board.name
    out_dir.mkdir(parents=True, exist_ok=True)
    progress(f"{board.name}: sync {board.sync_clock_hz / 1e6:.3f} MHz, network {board.network_clock_hz / 1e6:.3f} "
             f"MHz, audio {board.audio_clock_hz / 1e6:.4f} MHz (fs {board.sample_rate_hz:.1f} Hz), plan "
             f"{plan.cycles_per_sample}/{plan.cycle_budget} cycles, {plan.multipliers} network multipliers")

    again = {"cross_check": cross_check_timing, "seeds": seeds}
    if network_component is not None:
        report = _full_build(board, config, plan, network_component, out_dir, env, progress, **again)
        return _finish(board, config, {**report, "plays": played}, out_dir, start, allow_timing_fail, progress)

    key = template_key_parts(config, plan, board)
    template, record, previous = find_template(out_dir, key)
    built = False
    matches = record is not None and record.get("key") == key
    missing = _missing_figures(record["report"], cross_check_timing, seeds) if matches else None
    if matches and not full and not missing:
        progress(f"{board.name}: the routed template matches (network shape, plan, board, generator sources, "
                 f"tools): swapping in the weights, no synthesis or place-and-route ({template.directory})")
    else:
        built = True
        why = "requested" if full and matches else missing if matches else describe_change(previous, key)
        progress(f"{board.name}: full synthesis and place-and-route of a new routed template ({why})")
        record = _build_template(board, config, plan, network, out_dir, template, key, env, progress, again)
    mark_last(template)

    report = {**record["report"], "plays": played}
    report["weights"] = {**_swap(network, plan, template, record, out_dir, env, progress), "full_build": built}
    report["template"] = {"directory": str(template.directory), "key": record["key"]}
    return _finish(board, config, report, out_dir, start, allow_timing_fail, progress)


def _missing_figures(report: dict, cross_check: bool, seeds: tuple[int, ...]) -> str | None:
    """Why a stored template's report lacks what was asked for (None: it has it)."""
    if cross_check and "cross_check" not in report:
        return "a timing cross-check was asked for"
    absent = [seed for seed in seeds if str(seed) not in report.get("seeds", {})]
    if absent:
        return f"placer seeds {absent} were asked for"
    return None


def _timing(pnr) -> dict[str, Any]:
    """The timing figures of one place and route: verdict, clocks, critical paths."""
    return {"timing_met": pnr.timing_met,
            "clocks": {name: timing.to_dict() for name, timing in pnr.clocks.items()},
            "critical_paths": {name: path.to_dict() for name, path in pnr.critical_paths.items()}}


def _place_and_route_again(board, out_dir: Path, env, progress, cross_check: bool, seeds) -> dict[str, Any]:
    """The cross-check on the part's conservative twin and the other seeds, on the netlist just built."""
    figures: dict[str, Any] = {}
    if cross_check:
        twin = board.device.conservative_twin()
        if twin is None:
            figures["cross_check"] = {"skipped": f"{board.device.name} is timed with its own speed grade's "
                                                 f"model ({board.device.timing_model}): nothing more conservative"}
        else:
            tag = f"{twin.nextpnr_device}-{twin.speed}"
            pnr, seconds = place_and_route_again(board, out_dir, "top", env, to_device=twin, tag=tag,
                                                 progress=progress)
            figures["cross_check"] = {"device": twin.name, "timing_model": twin.timing_model, **_timing(pnr),
                                      "log": str(out_dir / f"top.{tag}.tim"), "place_route_seconds": round(seconds, 1)}
            progress(f"{board.name}: cross-check on {twin.name} (model {twin.timing_model}): timing "
                     f"{'met' if pnr.timing_met else 'NOT met'}; " + _clock_line(figures["cross_check"]["clocks"]))
    if seeds:
        figures["seeds"] = {}
        for seed in seeds:
            pnr, seconds = place_and_route_again(board, out_dir, "top", env, seed=seed, tag=f"seed{seed}",
                                                 progress=progress)
            figures["seeds"][str(seed)] = {**_timing(pnr), "log": str(out_dir / f"top.seed{seed}.tim"),
                                           "place_route_seconds": round(seconds, 1)}
            progress(f"{board.name}: placer seed {seed}: timing {'met' if pnr.timing_met else 'NOT met'}; "
                     + _clock_line(figures["seeds"][str(seed)]["clocks"]))
    return figures


def _clock_line(clocks: dict[str, dict]) -> str:
    return ", ".join(f"{name} {c['fmax_mhz']:.1f}/{c['target_mhz']:.2f} MHz (slack {c['slack_ns']:+.2f} ns, "
                     f"{c['slack_percent']:+.1f} %)" for name, c in clocks.items())


def _full_build(board, config, plan, component, out_dir: Path, env, progress, *, cross_check: bool = False,
                seeds: tuple[int, ...] = ()) -> dict[str, Any]:
    """Synthesis, place and route of the board's top level around ``component``; the report's hardware part."""
    from .top import NetworkTop, dry_fifo_depth

    top = NetworkTop(config, component, board=board,
                     dry_depth=dry_fifo_depth(plan, network_domain=board.has_network_clock))
    synth_start = time.monotonic()
    pnr = run_platform_build(board, top, "top", out_dir, env, progress=progress, note="(minutes)...")
    seconds = round(time.monotonic() - synth_start, 1)
    progress(f"{board.name}: {board.device.name}, timing model {board.device.timing_model}: timing "
             f"{'met' if pnr.timing_met else 'NOT met'}; " + _clock_line(_timing(pnr)["clocks"]))
    again = _place_and_route_again(board, out_dir, env, progress, cross_check, seeds)
    return {
        "board": board.name,
        "config": config.name,
        "device": board.device.name,
        "timing_model": board.device.timing_model,
        "utilisation": pnr.utilisation_dict(),
        **_timing(pnr),
        **again,
        "sync_clock_hz": board.sync_clock_hz,
        "audio_clock_hz": board.audio_clock_hz,
        "sample_rate_hz": board.sample_rate_hz,
        "sample_rate_error": board.sample_rate_hz / config.sample_rate_hz - 1,
        **_plan_figures(plan),
        "pll": board.pll.summary(),
        "synthesis_place_route_seconds": seconds,
    }


def _build_template(board, config, plan, network, out_dir: Path, template: Template, key, env, progress,
                    again: dict) -> dict:
    """The full build with the template's coefficient words; stores and returns the template's record."""
    from rtl.coefficients import template_images

    from .top import make_network

    if template.directory.exists():
        shutil.rmtree(template.directory)
    template.directory.mkdir(parents=True)
    words = weight_swap.flatten(template_images(config, plan, TEMPLATE_SEED))
    weight_swap.write_hex(template.hex, words, config.weight_format.width)
    report = _full_build(board, config, plan, make_network(network, plan, template=TEMPLATE_SEED), out_dir, env,
                         progress, **again)
    shutil.copyfile(out_dir / "top.config", template.config)
    record = {"key": key, "seed": TEMPLATE_SEED, "words": len(words),
              "ecppack_options": _ecppack_options(out_dir / "build_top.sh", "top"), "report": report}
    template.save(record)
    return record


def _swap(network, plan, template: Template, record: dict, out_dir: Path, env, progress) -> dict[str, Any]:
    """Patch ``network``'s coefficients into the template's routed configuration, check them, pack."""
    from rtl.coefficients import network_images

    start = time.monotonic()
    width = network.config.weight_format.width
    words = weight_swap.flatten(network_images(network, plan))
    if len(words) != record["words"]:
        raise BuildError(f"the template holds {record['words']} coefficient words, the network {len(words)}")
    weights_hex = out_dir / "weights.hex"
    weight_swap.write_hex(weights_hex, words, width)
    patched = out_dir / "top.config"
    patch_seconds = weight_swap.patch_config(template.config, template.hex, weights_hex, patched, env=env,
                                             tool=swap_tool(env, "ecpbram"))
    template_words = np.array([int(line, 16) for line in template.hex.read_text().split()], dtype=np.int64)
    held = weight_swap.read_back(template.config.read_text(), patched.read_text(), template_words, width)
    if not np.array_equal(held, words):
        bad = int(np.flatnonzero(held != words)[0])
        raise BuildError(f"the patched design holds {int(held[bad])} at coefficient word {bad}, not {int(words[bad])}")
    pack_seconds = weight_swap.pack(patched, out_dir / "top.bit", record["ecppack_options"], env=env,
                                    tool=swap_tool(env, "ecppack"))
    seconds = time.monotonic() - start
    progress(f"weights patched into the routed design and checked word for word ({len(words)} words, "
             f"{seconds:.1f} s)")
    return {"words": len(words), "verified": True, "patch_seconds": round(patch_seconds, 1),
            "pack_seconds": round(pack_seconds, 1), "swap_seconds": round(seconds, 1)}


def _finish(board, config, report: dict, out_dir: Path, start: float, allow_timing_fail: bool, progress):
    report["build_seconds"] = round(time.monotonic() - start, 1)
    if board.archive is not None and (report["timing_met"] or allow_timing_fail):
        archive = board.archive.write(out_dir / "top.bit", **archive_fields(config, report.get("plays")))
        report["archive"] = str(archive)
        progress(f"{board.name}: bitstream archive {archive}")
    report_path = out_dir / "report.json"
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    result = BuildResult(out_dir / "top.bit", report_path, report)
    if not report["timing_met"] and not allow_timing_fail:
        failing = ", ".join(f"{name}: {t['fmax_mhz']:.2f} MHz < {t['target_mhz']:.2f} MHz"
                            for name, t in report["clocks"].items() if not t["met"])
        raise BuildError(f"timing not met on {board.name} ({failing}); report in {report_path}; "
                         f"pass --allow-timing-fail to keep the bitstream anyway")
    return result
