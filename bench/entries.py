"""Bench entries of the board set (``bench.networks``): bitstreams, simulation, the LUT model, sound, tables.

``make bench`` runs them in this order (after ``golden``):

* ``boards``: every row of ``bench.networks.BUILDS`` as a full board bitstream (``bitstream.build.build_board``,
  under ``build/bench/boards/``; a rerun with unchanged sources only patches weights into the stored
  routed templates); a row on a part timed with the 5G model (the ECPIX-5) is also placed and routed for
  its conservative twin, the LFE5UM-85F of speed grade 8 (``cross_check``);
* ``boards_sim``: each network bit-exact against the golden model under cocotb (Verilator), over
  :data:`SIM_SAMPLES` random samples (cached per design);
* ``lut_model``: the plan's LUT model against yosys on networks that were not used to calibrate it
  (``bench.lut_model``);
* ``snr``: each network's trained test SNR, read from its training report (the quality recipe is long:
  it is not run here, see :func:`snr`);
* ``boards_table``: ``build/bench/report.md`` from the merged ``report.json``.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from .networks import BUILDS, bench_network, build_dir
from .registry import bench

BUILD = Path("build/bench")
REPORT = BUILD / "report.json"
#: Samples per bit-exact simulation.
SIM_SAMPLES = 10_000
#: Where ``make train CONFIG=configs/<name>.toml TRAIN_OUT=build/train/<name>`` writes its report.
TRAIN_ROOT = Path("build/train")


def _row(build, result) -> dict:
    """The figures of one board build (its report, the plan's estimate beside nextpnr's counts)."""
    report = result.report
    util = {k: report["utilisation"][k]["used"] for k in ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D")}
    network = report["clocks"].get("network", report["clocks"]["sync"])
    config = build.config
    return {
        "config": build.config_path, "board": build.board, "params": config.params,
        "macs_per_sample": config.macs_per_sample, "receptive_field": config.receptive_field,
        "layers": [lc.filters for lc in config.layers], "timing_met": report["timing_met"],
        "clocks": report["clocks"], "network_clock_hz": report["network_clock_hz"],
        "network_fmax_mhz": network["fmax_mhz"], "network_target_mhz": network["target_mhz"],
        "cycle_budget": report["cycle_budget"], "cycles_per_sample": report["cycles_per_sample"],
        "capacity": report["capacity"], "utilisation": util, "estimate": report["estimate"],
        "synthesis_place_route_seconds": report.get("synthesis_place_route_seconds"),
        "full_build": report["weights"]["full_build"], "swap_seconds": report["weights"]["swap_seconds"],
        "build_seconds": report["build_seconds"],
        "device": report.get("device"), "timing_model": report.get("timing_model"),
        "critical_paths": report.get("critical_paths", {}), "cross_check": report.get("cross_check"),
    }


@bench("boards", "every bench network as a full board bitstream (codec driver, scaling, network domain)")
def boards() -> dict:
    from bitstream.build import BuildError, build_board
    from boards.registry import get_board

    rows = {}
    for build in BUILDS:
        print(f"  {build.key} ...", flush=True)
        start = time.perf_counter()
        cross_check = get_board(build.board).device.conservative_twin() is not None
        try:
            result = build_board(build.board, bench_network(build), out_root=build_dir(build),
                                 allow_timing_fail=True, cross_check_timing=cross_check,
                                 progress=lambda m: print(f"    {m}", flush=True))
        except BuildError as exc:
            rows[build.key] = {"config": build.config_path, "board": build.board, "error": str(exc)}
            continue
        rows[build.key] = {**_row(build, result), "wall_seconds": round(time.perf_counter() - start, 1)}
    return {"rows": rows}


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
    return h.hexdigest()[:16]


@bench("boards_sim", f"each bench network bit-exact against the golden model under cocotb, {SIM_SAMPLES} samples")
def boards_sim(samples: int = SIM_SAMPLES) -> dict:
    from bitstream.plan import plan_for_board
    from boards.registry import get_board
    from rtl.generate import generate_verilog
    from sim.check import check_network
    from sim.stimulus import random_codes

    results = {}
    for build in {b.config_path: b for b in reversed(BUILDS)}.values():  # one run per network, its largest board
        net = bench_network(build)
        plan = plan_for_board(net.config, get_board(build.board))
        verilog = generate_verilog(net, plan)
        out = BUILD / "sim" / build.name
        key = _digest(verilog, str(samples))
        cached = out / "result.json"
        if cached.exists() and json.loads(cached.read_text()).get("key") == key:
            results[build.name] = {**json.loads(cached.read_text()), "cached": True}
            continue
        out.mkdir(parents=True, exist_ok=True)
        (out / "network.v").write_text(verilog)
        codes = random_codes(net.config, samples, np.random.default_rng(7))
        start = time.perf_counter()
        check = check_network(net, plan, codes, out / "work", verilog=out / "network.v")
        result = {
            "key": key, "board_plan": build.board, "bit_exact": bool(check.comparison.ok), "ok": bool(check.ok),
            "samples": int(check.comparison.samples_checked),
            "mismatches": check.comparison.describe() if not check.comparison.ok else "",
            "cycles_per_sample_measured": check.cycles_per_sample, "cycles_per_sample_plan": plan.cycles_per_sample,
            "sim_samples_per_second": round(check.stream.samples_per_second, 1),
            "build_seconds": round(check.build_seconds, 1), "wall_seconds": round(time.perf_counter() - start, 1),
        }
        cached.write_text(json.dumps(result, indent=2) + "\n")
        results[build.name] = {**result, "cached": False}
    return {"networks": results, "all_bit_exact": all(r["bit_exact"] for r in results.values())}


@bench("lut_model", "the plan's LUT model against yosys on networks it was not calibrated on (within 15 %)")
def lut_model() -> dict:
    from .lut_model import check_lut_model

    return check_lut_model(BUILD / "lut_model")


def training_report(config_path: str) -> tuple[dict | None, str]:
    """The training report of ``config_path``'s network, and where it was looked for: ``build/train/<name>/``
    (``make train CONFIG=<config> TRAIN_OUT=build/train/<name>``), or ``build/train/`` (plain ``make
    train``); a report counts only if the network it trained has this config's shape
    (:func:`bitstream.plays.training_report`)."""
    from bitstream.plays import training_report as find
    from common.config import load_config

    report, where = find(load_config(config_path), (TRAIN_ROOT / Path(config_path).stem, TRAIN_ROOT))
    return report, where if report is not None else str(TRAIN_ROOT / Path(config_path).stem / "report.json")


@bench("snr", "each bench network's trained test SNR (golden model), from its training report")
def snr() -> dict:
    """Training is not part of ``make bench``: the quality recipe takes about ten minutes for the default
    network and far longer for the large ones. Each row reads the report ``make train`` wrote for it."""
    rows = {}
    for config_path in dict.fromkeys(b.config_path for b in BUILDS):
        report, where = training_report(config_path)
        name = Path(config_path).stem
        command = (f"make train CONFIG={config_path} TRAIN_OUT=build/train/{name}")
        if report is None or "test_snr_db" not in report:
            rows[name] = {"test_snr_db": None, "report": where, "command": command}
            continue
        rows[name] = {"test_snr_db": report["test_snr_db"], "report": where, "command": command,
                      "epochs": report.get("epochs"), "qat_epochs": report.get("qat_epochs"),
                      "wall_seconds": report.get("wall_seconds")}
    return {"networks": rows}


@bench("boards_table", "write build/bench/report.md from report.json")
def boards_table() -> dict:
    from .report import write_outputs

    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    return write_outputs(report, BUILD)
