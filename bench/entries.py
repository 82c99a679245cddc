"""Bench entries for the network set (``bench.networks``): hardware, simulation, training, then the tables.

``python -m bench networks`` place-and-routes every bench network on its devices (cached per build),
``python -m bench networks_sim`` runs each through the cocotb bit-exact check, ``python -m bench
networks_train`` trains each with a small epoch budget, and ``python -m bench networks_table`` writes
``build/bench/report.md`` and ``build/bench/bench.png`` from the merged ``report.json``. ``make bench``
runs them in that order (after ``golden``). ``BENCH_NETWORKS=default,medium`` restricts the set;
``BENCH_CACHED_ONLY=1`` reports only the place-and-route builds that already finished (the others are
listed as pending).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .estimate import estimate
from .networks import BENCH_CLOCK_HZ, BENCH_SAMPLE_RATE_HZ, DEVICES, NETWORKS, bench_network, plan_for
from .registry import bench

BUILD = Path("build/bench")
REPORT = BUILD / "report.json"
#: Samples per bit-exact simulation (longer than the largest receptive field, 1024).
SIM_SAMPLES = 3000
#: Epochs per bench training run: the same small budget for every size, so the SNRs compare.
TRAIN_EPOCHS = 6


def selected() -> list[str]:
    """The bench networks to run: all, or the comma-separated names in ``BENCH_NETWORKS``."""
    names = [n for n in os.environ.get("BENCH_NETWORKS", "").split(",") if n] or list(NETWORKS)
    unknown = [n for n in names if n not in NETWORKS]
    if unknown:
        raise KeyError(f"BENCH_NETWORKS: unknown network(s) {unknown}; known: {list(NETWORKS)}")
    return names


def network_figures(name: str) -> dict:
    """Config-derived figures and the schedule at the bench operating point."""
    config = NETWORKS[name].config
    plan = plan_for(config)
    return {
        "config": NETWORKS[name].config_path, "params": config.params, "macs_per_sample": config.macs_per_sample,
        "receptive_field": config.receptive_field, "layers": [lc.filters for lc in config.layers],
        "lanes": plan.lanes, "cycles_per_sample": plan.cycles_per_sample, "cycle_budget": plan.cycle_budget,
        "plan_memory_bits": plan.memory_bits,
    }


def derived(figures: dict, build: dict, clock_hz: int = BENCH_CLOCK_HZ,
            sample_rate_hz: int = BENCH_SAMPLE_RATE_HZ) -> dict:
    """Throughput figures of one build: max sample rate (clock / cycles per sample, capped by Fmax) and
    multiplier efficiency (MACs per second at 192 kHz over multipliers x clock)."""
    clock = min(clock_hz, build["fmax_mhz"] * 1e6) if build.get("fmax_mhz") else clock_hz
    multipliers = build.get("multipliers") or 0
    macs = figures["macs_per_sample"]
    return {
        "max_sample_rate_hz": int(clock // figures["cycles_per_sample"]),
        "multiplier_efficiency": (round(macs * sample_rate_hz / (multipliers * clock_hz), 3)
                                  if multipliers else None),
        "multiplier_efficiency_at_max_rate": (round(macs / (multipliers * figures["cycles_per_sample"]), 3)
                                              if multipliers else None),
    }


@bench("networks", "place-and-route every bench network alone on its ECP5 parts (cached per build)")
def networks() -> dict:
    from rtl.generate import generate_verilog

    from .fpga import FpgaBuildError, cached_result, partial_result, place_and_route

    cached_only = os.environ.get("BENCH_CACHED_ONLY") == "1"

    names = selected()
    jobs = [(name, device) for name in names for device in NETWORKS[name].devices]
    results: dict = {name: {**network_figures(name), "builds": {}, "estimates": {}} for name in names}
    for name in names:  # the estimate for every part, built or not (says why a part is not built)
        config = NETWORKS[name].config
        for device in DEVICES.values():
            try:
                results[name]["estimates"][device.name] = {
                    **estimate(config, plan_for(config, device), NETWORKS[name].lut_mapper).to_dict(),
                    "device": device.name, "lut_mapper": NETWORKS[name].lut_mapper}
            except ValueError as exc:  # PlanError: not enough multipliers on this part
                results[name]["estimates"][device.name] = {"error": str(exc)}
    for name, device_name in tqdm(jobs, desc="place and route", unit="build"):
        device = DEVICES[device_name]
        net = bench_network(name)
        plan = plan_for(net.config, device)
        out_dir = BUILD / "fpga" / f"{name}-{device_name}"
        verilog = generate_verilog(net, plan)
        mapper = NETWORKS[name].lut_mapper
        if cached_only and cached_result(verilog, device=device, out_dir=out_dir, lut_mapper=mapper) is None:
            partial = partial_result(out_dir)
            if partial is None:
                results[name].setdefault("pending", []).append(device_name)
            else:
                results[name]["builds"][device_name] = {**partial, "lut_mapper": mapper, **derived(results[name], {
                    **partial, "fmax_mhz": None})}
            continue
        start = time.perf_counter()
        try:
            build = place_and_route(verilog, device=device, out_dir=out_dir, lut_mapper=mapper)
        except FpgaBuildError as exc:
            build = {"error": str(exc)}
        build["wall_seconds"] = round(time.perf_counter() - start, 1)
        if "error" not in build:
            build.update(derived(results[name], build))
        results[name]["builds"][device_name] = build
    return {"clock_hz": BENCH_CLOCK_HZ, "sample_rate_hz": BENCH_SAMPLE_RATE_HZ, "networks": results}


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
    return h.hexdigest()[:16]


@bench("networks_sim", "each bench network bit-exact against the golden model under cocotb (Verilator)")
def networks_sim(samples: int = SIM_SAMPLES) -> dict:
    from rtl.generate import generate_verilog
    from sim.check import check_network
    from sim.stimulus import random_codes

    from .fpga import design_digest

    results = {}
    for name in tqdm(selected(), desc="bit-exact simulation", unit="network"):
        net = bench_network(name)
        plan = plan_for(net.config)
        verilog = generate_verilog(net, plan)
        out = BUILD / "sim" / name
        key = _digest(design_digest(verilog), str(samples))
        cached = out / "result.json"
        if cached.exists() and json.loads(cached.read_text()).get("key") == key:
            results[name] = {**json.loads(cached.read_text()), "cached": True}
            continue
        out.mkdir(parents=True, exist_ok=True)
        (out / "network.v").write_text(verilog)
        codes = random_codes(net.config, samples, np.random.default_rng(7))
        start = time.perf_counter()
        check = check_network(net, plan, codes, out, verilog=out / "network.v")
        result = {
            "key": key, "bit_exact": bool(check.comparison.ok), "ok": bool(check.ok), "samples": int(samples),
            "mismatches": check.comparison.describe() if not check.comparison.ok else "",
            "cycles_per_sample_measured": check.cycles_per_sample, "cycles_per_sample_plan": plan.cycles_per_sample,
            "sim_samples_per_second": round(check.stream.samples_per_second, 1),
            "build_seconds": round(check.build_seconds, 1), "wall_seconds": round(time.perf_counter() - start, 1),
        }
        cached.write_text(json.dumps(result, indent=2) + "\n")
        results[name] = {**result, "cached": False}
    return {"networks": results, "all_bit_exact": all(r["bit_exact"] for r in results.values())}


@bench("networks_train", f"train each bench network for {TRAIN_EPOCHS} epochs: does the capacity raise test SNR?")
def networks_train(epochs: int = TRAIN_EPOCHS) -> dict:
    results = {}
    for name in tqdm(selected(), desc="training", unit="network"):
        config_path = NETWORKS[name].config_path
        out = BUILD / "train" / name
        key = _digest(Path(config_path).read_text(), str(epochs))
        marker = out / "bench_key"
        report_path = out / "report.json"
        if not (report_path.exists() and marker.exists() and marker.read_text() == key):
            out.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "train", "--config", config_path, "--out", str(out),
                       "--epochs", str(epochs), "--quiet"]
            with open(out / "train.log", "w") as log:
                done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
            if done.returncode != 0:
                results[name] = {"error": f"python -m train failed (exit {done.returncode}); see {out / 'train.log'}"}
                continue
            marker.write_text(key)
        report = json.loads(report_path.read_text())
        results[name] = {"params": NETWORKS[name].config.params, "epochs": report.get("epochs"),
                         "train_seconds": report.get("train_seconds"), "test_snr_db": report.get("test_snr_db")}
    return {"epochs": epochs, "networks": results, "capacity_helps": _capacity_helps(results)}


def _mean_snr(entry: dict) -> float | None:
    """The test SNR over all test signals (``all``), else the mean over the signals."""
    snr = entry.get("test_snr_db")
    if isinstance(snr, dict) and snr:
        return float(snr["all"]) if "all" in snr else float(np.mean([float(v) for v in snr.values()]))
    return float(snr) if isinstance(snr, int | float) else None


def _capacity_helps(results: dict) -> dict:
    """Test SNR (all signals) per network in parameter order, and whether it rises with the parameter count."""
    rows = sorted(((r["params"], name, _mean_snr(r)) for name, r in results.items() if "params" in r),
                  key=lambda row: row[0])
    snrs = [(name, snr) for _, name, snr in rows if snr is not None]
    if len(snrs) < 2:
        return {"mean_snr_db": dict(snrs), "improves": None}
    values = [s for _, s in snrs]
    return {"mean_snr_db": {n: round(s, 2) for n, s in snrs},
            "improves": snrs[-1][1] > snrs[0][1],
            "monotonic": all(b >= a for a, b in zip(values, values[1:], strict=False)),
            "best": max(snrs, key=lambda x: x[1])[0],
            "largest_minus_default_db": round(snrs[-1][1] - snrs[0][1], 2)}


@bench("networks_table", "write build/bench/report.md and bench.png from report.json")
def networks_table() -> dict:
    from .report import write_outputs

    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    return write_outputs(report, BUILD)
