"""``build/bench/report.md`` from the merged ``report.json`` (any subset of entries).

One table carries each board build with its size, its sound (trained test SNR) and its hardware: network
clock target and post-route Fmax, the capacity in multiply-accumulates per sample against the physical
limit, the efficiency, the resources, timing; the prior design's figures (``docs/prior-work.md``) stand
beside it. Then the plan's estimate against nextpnr per build, the LUT model on held-out networks, the
bit-exact simulations, and the targets with a pass/fail each. Missing entries or failed builds show as "-"
or with their error, never as a number.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROTOTYPE_ROWS", "TARGETS", "check_targets", "estimate_rows", "markdown", "timing_lines",
           "write_outputs"]

#: The targets: (board, minimum parameters) at 192 kHz with timing met.
TARGETS = (("ecpix5", 50_000), ("colorlight_i5", 8_000))
#: Bit-exact simulation length the largest network must pass.
TARGET_SIM_SAMPLES = 10_000
#: The LUT model's tolerance on held-out networks.
LUT_TOLERANCE = 0.15

#: docs/prior-work.md: the prior design's F=16 SystemVerilog build (its blog) and its rebuild for this project.
PROTOTYPE_ROWS = [
    {"label": "prototype F=16 (its blog)", "part": "LFE5UM5G-85F", "params": 1572, "multipliers": "134",
     "luts": "44,647", "ffs": "21,081", "block_rams": "24", "fmax": "none recorded", "rate": "46.875 kHz"},
    {"label": "prototype F=16 rebuilt", "part": "LFE5UM5G-85F-8", "params": 1572, "multipliers": "132",
     "luts": "40,102", "ffs": "20,906", "block_rams": "24", "fmax": "58.7 (placement estimate)", "rate": "-"},
    {"label": "prototype F=16 on a 25F", "part": "LFE5U-25F-6", "params": 1572, "multipliers": "132 needed, 28 present",
     "luts": "-", "ffs": "-", "block_rams": "-", "fmax": "does not fit", "rate": "-"},
]


def _fmt(value, spec: str = ",") -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, float) and spec == ",":
        spec = ",.1f"
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)


def _rows(report: dict):
    return report.get("boards", {}).get("rows", {})


def _snr(report: dict, config_path: str):
    name = Path(config_path).stem
    entry = report.get("snr", {}).get("networks", {}).get(name, {})
    snr = entry.get("test_snr_db")
    if isinstance(snr, dict):
        return snr.get("all", None)
    return snr


def _mark(ok) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def estimate_rows(report: dict) -> list[dict]:
    """Per build and resource: the plan's estimate (network + rest of the design), nextpnr's count, error."""
    rows = []
    names = {"luts": "TRELLIS_COMB", "ffs": "TRELLIS_FF", "block_rams": "DP16KD", "multipliers": "MULT18X18D"}
    for key, row in _rows(report).items():
        if "error" in row or not row.get("estimate"):
            continue
        total = row["estimate"]["total"]
        for resource, cell in names.items():
            measured, predicted = row["utilisation"][cell], total[resource]
            error = (predicted - measured) / measured if measured else 0.0
            rows.append({"build": key, "resource": resource, "estimate": predicted, "measured": measured,
                         "error": error})
    return rows


def check_targets(report: dict) -> list[dict]:
    """The targets, each with its evidence and pass/fail (None: not measured)."""
    targets = []
    rows = {k: r for k, r in _rows(report).items() if "error" not in r}
    for board, params in TARGETS:
        best = [r for r in rows.values() if r["board"] == board and r["params"] >= params]
        good = [r for r in best if r["timing_met"]]
        evidence = "; ".join(
            f"{Path(r['config']).stem}: {r['params']:,} params, network {r['network_fmax_mhz']:.1f} MHz for "
            f"{r['network_target_mhz']:.2f} MHz, timing {'met' if r['timing_met'] else 'NOT met'}" for r in best)
        targets.append({"target": f">= {params:,} params on {board} at 192 kHz, timing met, full bitstream",
                        "ok": bool(good) if best else None, "evidence": evidence or "not built"})
    sims = report.get("boards_sim", {}).get("networks", {})
    largest = max(rows.values(), key=lambda r: r["params"], default=None)
    if largest is not None:
        sim = sims.get(Path(largest["config"]).stem)
        targets.append({"target": f"largest network bit-exact in cocotb over >= {TARGET_SIM_SAMPLES:,} samples",
                        "ok": None if sim is None else bool(sim["bit_exact"] and sim["samples"] >= TARGET_SIM_SAMPLES),
                        "evidence": "not simulated" if sim is None else
                        f"{Path(largest['config']).stem}: {sim['samples']:,} samples, "
                        f"{'bit-exact' if sim['bit_exact'] else sim['mismatches']}"})
    lut = report.get("lut_model")
    if lut:
        worst = max(lut["held_out"], key=lambda r: abs(r["error"]), default=None)
        targets.append({"target": f"LUT model within {LUT_TOLERANCE:.0%} on every held-out network",
                        "ok": lut.get("ok"),
                        "evidence": f"{len(lut['held_out'])} networks, worst {worst['network']}: {worst['estimate']:,} "
                                    f"vs {worst['measured']:,} ({worst['error']:+.1%})" if worst else "-"})
    return targets


def timing_lines(report: dict) -> list[str]:
    """Per build and clock: the timing model, Fmax against the target, the slack in ns and per cent of the
    period, the critical path's end points and longest route, and the cross-check on the conservative model
    (the ECPIX-5's LFE5UM-85F at speed 8) where one was made."""
    lines = ["", "## Timing margin", "",
             "Slack = target period - critical path delay. The ECPIX-5's part is timed by nextpnr with its 5G "
             "model; the cross-check places and routes the same netlist for an LFE5UM-85F of speed grade 8.", "",
             "| build | part (timing model) | clock | Fmax / target MHz | slack ns | slack % | critical path "
             "(longest route) | cross-check Fmax MHz (slack %) |", "|---|---|---|---|---|---|---|---|"]
    for key, row in _rows(report).items():
        if "error" in row or not row.get("clocks"):
            continue
        cross = row.get("cross_check") or {}
        for name, clock in row["clocks"].items():
            path = (row.get("critical_paths") or {}).get(name)
            where = "-" if not path else (f"{path['source']} -> {path['sink']}, {path['delay_ns']:.2f} ns "
                                          f"({path['routing_ns']:.2f} routing; longest {path['longest_net_ns']:.2f})")
            other = (cross.get("clocks") or {}).get(name)
            checked = "-" if other is None else (f"{other['fmax_mhz']:.1f} ({other['slack_percent']:+.1f})"
                                                 + ("" if other["met"] else " **fails**"))
            lines.append(f"| {key} | {_fmt(row.get('device'))} ({_fmt(row.get('timing_model'))}) | {name} | "
                         f"{clock['fmax_mhz']:.1f} / {clock['target_mhz']:.2f} | "
                         f"{_fmt(clock.get('slack_ns'), '+.2f')} | {_fmt(clock.get('slack_percent'), '+.1f')} | "
                         f"{where} | {checked} |")
    return lines


def markdown(report: dict) -> str:
    lines = ["# Bench: the biggest network each board holds", "",
             "Every row is a full board bitstream (`make bitstream`: codec driver, scaling, the network in its own "
             "clock domain), random weights, YoWASP yosys 0.70 + nextpnr-ecp5 0.11 (router2), post-route figures. "
             "Capacity = multipliers x cycle budget, physical limit = spare multipliers x network clock / sample "
             "rate, efficiency = MACs needed / capacity.", "",
             "## Targets", "", "| target | met | evidence |", "|---|---|---|"]
    lines += [f"| {t['target']} | {_mark(t['ok'])} | {t['evidence']} |" for t in check_targets(report)]
    lines += ["", "## Size, sound and hardware", "",
              "| network | board | params | MACs/sample | test SNR dB | multipliers | network clock MHz (Fmax) | "
              "capacity (physical limit) | efficiency | LUT | FF | DP16KD | MULT18X18D | timing met | build s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, row in _rows(report).items():
        if "error" in row:
            lines.append(f"| {key} | | | | | failed: {row['error'].splitlines()[0]} | | | | | | | | | |")
            continue
        cap, util = row["capacity"], row["utilisation"]
        lines.append(
            f"| {Path(row['config']).stem} | {row['board']} | {row['params']:,} | {row['macs_per_sample']:,} | "
            f"{_fmt(_snr(report, row['config']), '.1f')} | {cap['multipliers']} of {cap['multiplier_budget']} | "
            f"{row['network_target_mhz']:.2f} ({row['network_fmax_mhz']:.1f}) | "
            f"{cap['capacity_macs_per_sample']:,} ({cap['physical_limit_macs_per_sample']:,}) | "
            f"{cap['efficiency']:.2f} | {util['TRELLIS_COMB']:,} | {util['TRELLIS_FF']:,} | {util['DP16KD']} | "
            f"{util['MULT18X18D']} | {_mark(row['timing_met'])} | {_fmt(row.get('synthesis_place_route_seconds'))} |")
    for proto in PROTOTYPE_ROWS:
        lines.append(f"| {proto['label']} | {proto['part']} | {proto['params']:,} | - | - | {proto['multipliers']} | "
                     f"{proto['fmax']} | - | - | {proto['luts']} | {proto['ffs']} | {proto['block_rams']} | "
                     f"{proto['multipliers']} | - | - |")
    snr = report.get("snr", {}).get("networks", {})
    missing = [f"`{v['command']}`" for v in snr.values() if v.get("test_snr_db") is None]
    if missing:
        lines += ["", "Test SNR comes from each network's training report; missing ones are made by " +
                  ", ".join(missing) + " (not part of `make bench`)."]
    lines += timing_lines(report)
    lines += ["", "## The plan's estimate against nextpnr", "",
              "| build | resource | estimate | nextpnr | error |", "|---|---|---|---|---|"]
    lines += [f"| {r['build']} | {r['resource']} | {r['estimate']:,} | {r['measured']:,} | {r['error']:+.1%} |"
              for r in estimate_rows(report)]
    lut = report.get("lut_model")
    if lut:
        lines += ["", f"## LUT model against yosys (networks alone; within {LUT_TOLERANCE:.0%} on held-out ones)", "",
                  "| network | set | layers | lanes | estimate | yosys | error |", "|---|---|---|---|---|---|---|"]
        for kind in ("calibration", "held_out"):
            for r in lut.get(kind, []):
                lines.append(f"| {r['network']} | {kind.replace('_', '-')} | {r.get('layers', '-')} | "
                             f"{r.get('lanes', '-')} | {r['estimate']:,} | {r['measured']:,} | {r['error']:+.1%} |")
    sims = report.get("boards_sim", {}).get("networks", {})
    if sims:
        lines += ["", "## Bit-exact simulation (cocotb, Verilator)", "",
                  "| network | samples | bit-exact | cycles/sample sim (plan) | sim samples/s | build s |",
                  "|---|---|---|---|---|---|"]
        for name, s in sims.items():
            lines.append(f"| {name} | {_fmt(s.get('samples'))} | {_mark(s.get('bit_exact'))} | "
                         f"{_fmt(s.get('cycles_per_sample_measured'))} ({_fmt(s.get('cycles_per_sample_plan'))}) | "
                         f"{_fmt(s.get('sim_samples_per_second'))} | {_fmt(s.get('build_seconds'))} |")
    golden = report.get("golden")
    if golden:
        lines += ["", f"Golden model: {golden.get('realtime_factor')}x real time at 192 kHz on one core "
                      f"({golden.get('weights')})."]
    return "\n".join(lines) + "\n"


def write_outputs(report: dict, out_dir: str | Path) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text(markdown(report))
    return {"markdown": str(out_dir / "report.md"), "targets": check_targets(report)}
