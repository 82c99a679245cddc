"""``python -m mcu``: the network as C for a Cortex-M7, checked on the host and under QEMU (``make mcu``);
the Daisy Patch firmware (``make mcu-firmware``) and its upload (``make mcu-flash``).

    python -m mcu [report] [--weights build/weights] [--out build/mcu] [--host-samples 192000]
                           [--target-samples 20000]
    python -m mcu firmware --libdaisy-dir DIR [--weights build/weights] [--out build/mcu]
    python -m mcu flash [--out build/mcu]

``report`` writes ``<out>/waveshaper.h`` and ``waveshaper.c``, runs the host proof and the QEMU proof, counts
the instructions per sample, estimates the largest network at 48 kHz and writes ``<out>/report.json``; it
exits non-zero if any output differs from the golden model's.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common.cli import positive_int

__all__ = ["main"]

#: Hidden widths the 48 kHz estimate measures (the default network's shape, random weights of a trained
#: network's scale).
PROBE_FILTERS = (16, 32, 48)
PROBE_SAMPLES = 1000


def _load(path: Path):
    from quantize.weights import QuantizedNetwork, WeightsError

    try:
        return QuantizedNetwork.load(path)
    except (FileNotFoundError, WeightsError, ValueError) as exc:
        print(f"error: cannot load weights from {path}: {exc}", file=sys.stderr)
        return None


def _largest_at_48k(config, out: Path) -> dict | None:
    from .budget import M7_CLOCK_HZ, TARGET_SHARE, fit_instructions, largest_filters, probe_network, shape_config
    from .stimulus import check_signal
    from .target import check_on_target

    if len(config.layers) < 2:
        return None
    probes = []
    for filters in PROBE_FILTERS:
        probe = probe_network(shape_config(config, filters))
        result = check_on_target(probe, check_signal(probe.config, PROBE_SAMPLES), out / f"probe{filters}")
        probes.append({"filters": filters, "macs_per_sample": probe.config.macs_per_sample,
                       "instructions_per_sample": round(result.instructions_per_sample, 1),
                       "mismatches": result.comparison.mismatches})
    fit = fit_instructions([p["filters"] for p in probes], [p["instructions_per_sample"] for p in probes])
    cycles = M7_CLOCK_HZ // 48_000
    widest = {}
    for name, share in (("half_budget", TARGET_SHARE), ("whole_budget", 1.0)):
        filters = largest_filters(fit, share * cycles)
        widest[name] = {"instructions": int(share * cycles), "filters": filters,
                        "macs_per_sample": shape_config(config, max(filters, 1)).macs_per_sample if filters else 0}
    first, last = probes[0], probes[-1]
    per_mac = ((last["instructions_per_sample"] - first["instructions_per_sample"])
               / (last["macs_per_sample"] - first["macs_per_sample"]))
    hidden = "/".join(["F"] * (len(config.layers) - 1) + [str(config.layers[-1].filters)])
    return {"shape": f"{hidden} filters, kernels {'/'.join(str(lc.kernel_size) for lc in config.layers)}, "
                     f"dilations {'/'.join(str(lc.dilation) for lc in config.layers)}, the same formats",
            "probes": probes, "instructions_per_mac": round(per_mac, 3),
            "fit": {"a": round(fit[0], 1), "b": round(fit[1], 2), "c": round(fit[2], 3),
                    "form": "instructions per sample = a + b F + c F^2"},
            **widest}


def _cortex_m7_section(target, versions: dict) -> dict:
    """report.json's ``cortex_m7``: the comparison, the counts (N and 2N samples), sizes and tools."""
    from .target import ARM_FLAGS, qemu_command

    m7 = target.to_dict()
    half, full = target.instructions_per_sample_half, target.instructions_per_sample
    m7["n_vs_2n"] = {"samples_n": target.comparison.samples_checked // 2,
                     "instructions_per_sample_n": round(half, 1),
                     "samples_2n": target.comparison.samples_checked,
                     "instructions_per_sample_2n": round(full, 1),
                     "relative_difference": round(abs(full - half) / full, 5)}
    for key in ("instructions_per_sample_first_half", "replayed_after_reset"):
        m7.pop(key, None)
    m7["compiler"] = versions["cross"]
    m7["flags"] = " ".join(ARM_FLAGS)
    m7["qemu"] = f"{versions['qemu']}: {' '.join(qemu_command(Path('target_check.elf')))}"
    return m7


def _report(args) -> int:
    from .budget import budget
    from .generate import write_c
    from .host import HOST_FLAGS, SANITIZE_FLAGS, check_on_host, host_compiler
    from .stimulus import check_signal
    from .target import CC, QEMU, check_on_target, check_target_tools
    from .tools import McuError, tool_version, weights_digest

    network = _load(args.weights)
    if network is None:
        return 2
    try:
        cc = host_compiler()
        check_target_tools()
    except McuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = network.config
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    _, _, plan = write_c(network, out)
    print(f"wrote {out / 'waveshaper.h'} and {out / 'waveshaper.c'} for {config.name!r} "
          f"({config.macs_per_sample} MACs per sample)")
    try:
        host, sanitized = check_on_host(network, check_signal(config, args.host_samples), out / "host")
        print(f"host: {host.samples_checked} samples, {host.mismatches} mismatches")
        target = check_on_target(network, check_signal(config, args.target_samples), out / "target")
        print(f"Cortex-M7 under QEMU: {target.comparison.samples_checked} samples, {target.comparison.mismatches} "
              f"mismatches, {target.instructions_per_sample:.1f} instructions per sample")
        largest = _largest_at_48k(config, out)
        versions = {"host": tool_version(cc), "cross": tool_version(CC), "qemu": tool_version(QEMU)}
    except McuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    m7 = _cortex_m7_section(target, versions)
    report = {
        "network": {"name": config.name, "sample_rate_hz": config.sample_rate_hz,
                    "macs_per_sample": config.macs_per_sample, "params": config.params,
                    "weights_sha256": weights_digest(args.weights), "plan": plan.summary()},
        "host": {**host.to_dict(), "compiler": versions["host"],
                 "flags": " ".join(HOST_FLAGS + (SANITIZE_FLAGS if sanitized else []))},
        "cortex_m7": m7,
        "budget": budget(target.instructions_per_sample),
        "largest_at_48k": largest,
    }
    path = out / "report.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    for rate, figures in report["budget"]["rates"].items():
        print(f"  at {int(rate) // 1000} kHz: {figures['share'] * 100:.1f} % of a 480 MHz M7's "
              f"{figures['cycles_per_sample']} cycles per sample (instructions, not cycles)")
    print(f"  text {m7['text_bytes']} bytes, RAM {m7['ram_bytes']} bytes (+ {m7['stack_bytes']} bytes of stack)")
    if largest:
        print(f"  largest at 48 kHz ({largest['shape']}): F = {largest['half_budget']['filters']} within half the "
              f"budget, F = {largest['whole_budget']['filters']} within all of it")
    print(f"wrote {path}")
    failed = host.mismatches or target.comparison.mismatches or any(p["mismatches"] for p in (largest or {}).get(
        "probes", []))
    return 1 if failed else 0


def _firmware(args) -> int:
    from .firmware import FirmwareError, build_firmware, check_libdaisy

    try:
        check_libdaisy(args.libdaisy_dir)  # what the user typed, before anything else
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    network = _load(args.weights)
    if network is None:
        return 2
    try:
        binary = build_firmware(network, args.weights, args.libdaisy_dir, args.out)
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {binary}; upload it with `make mcu-flash` (the Daisy in its DFU bootloader: hold BOOT, "
          f"press RESET)")
    return 0


def _flash(args) -> int:
    from .firmware import FirmwareError, flash_firmware

    try:
        flash_firmware(args.out)
    except FirmwareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m mcu", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    report = sub.add_parser("report", help="generate the C, prove it on the host and under QEMU, write report.json")
    firmware = sub.add_parser("firmware", help="build the Daisy Patch firmware against a libDaisy checkout")
    flash = sub.add_parser("flash", help="upload the firmware with dfu-util")
    for command in (report, firmware, flash):
        command.add_argument("--out", type=Path, default=Path("build/mcu"),
                             help="output directory (default: build/mcu)")
    for command in (report, firmware):
        command.add_argument("--weights", type=Path, default=Path("build/weights"),
                             help="weights directory from `make quantize` (default: build/weights)")
    report.add_argument("--host-samples", type=positive_int("--host-samples", 192000), default=192_000,
                        help="samples compared on the host (default: 192000)")
    report.add_argument("--target-samples", type=positive_int("--target-samples", 20000), default=20_000,
                        help="samples compared and timed under QEMU (default: 20000)")
    firmware.add_argument("--libdaisy-dir", type=Path, default=None,
                          help="a libDaisy checkout, built with `make -C DIR` (make mcu-firmware LIBDAISY_DIR=...)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["report", *argv]
    args = parser.parse_args(argv)
    if args.command == "report" and (args.host_samples < 10 or args.target_samples < 10):
        parser.error("--host-samples and --target-samples: at least 10 each")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return {"report": _report, "firmware": _firmware, "flash": _flash}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
