"""``python -m bitstream``: ``rtl`` plans the network for a board and writes its Verilog (make rtl), ``build``
makes the board's bitstream (make bitstream). Flashing it is the platform's: ``python -m boards flash``."""

from __future__ import annotations

import argparse
import sys

from boards.eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from boards.registry import BOARDS, DEFAULT_BOARD, get_board
from common.cli import positive_int


def _load_weights(path):
    """The QuantizedNetwork in ``path``, or None after printing why not."""
    from quantize.weights import QuantizedNetwork, WeightsError

    try:
        return QuantizedNetwork.load(path)
    except (FileNotFoundError, WeightsError, ValueError) as exc:
        print(f"error: cannot load weights from {path}: {exc}", file=sys.stderr)
        return None


def _rtl(args) -> int:
    from boards.toolchain.runner import BuildError

    from .plan import plan_for_board

    net = _load_weights(args.weights)
    if net is None:
        return 2
    try:
        plan = plan_for_board(net.config, get_board(args.board), clock_hz=args.clock_hz,
                              sample_rate_hz=args.sample_rate, multipliers=args.multipliers)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from rtl.generate import write_rtl  # after the plan check: elaboration is the slow part

    verilog_path, plan_path = write_rtl(net, plan, args.out, name=args.name, debug=args.debug)
    print(plan.summary())
    print(f"wrote {verilog_path} and {plan_path}")
    return 0


def _build(args) -> int:
    from .build import BuildError, build_board

    net = _load_weights(args.weights)
    if net is None:
        return 2
    try:
        result = build_board(args.board, net, out_root=args.out, allow_timing_fail=args.allow_timing_fail,
                             full=args.full, cross_check_timing=args.cross_check_timing, seeds=tuple(args.seed),
                             weights_dir=args.weights)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rep = result.report
    util = rep["utilisation"]
    print(f"{result.bitstream}: timing {'met' if rep['timing_met'] else 'NOT MET'} on {rep['device']} (timing "
          f"model {rep['timing_model']}); {_clocks(rep['clocks'])}")
    cross = rep.get("cross_check")
    if cross is not None:
        print("  cross-check: " + (cross["skipped"] if "skipped" in cross else
                                   f"{cross['device']} (timing model {cross['timing_model']}): timing "
                                   f"{'met' if cross['timing_met'] else 'NOT met'}; {_clocks(cross['clocks'])}"))
    for seed, run in rep.get("seeds", {}).items():
        print(f"  placer seed {seed}: timing {'met' if run['timing_met'] else 'NOT met'}; {_clocks(run['clocks'])}")
    print("  " + ", ".join(f"{k} {util[k]['used']}/{util[k]['available']}"
                           for k in ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D")))
    cap = rep["capacity"]
    print(f"  fs {rep['sample_rate_hz']:.1f} Hz, network clock {rep['network_clock_hz'] / 1e6:.2f} MHz, "
          f"{rep['cycles_per_sample']}/{rep['cycle_budget']} cycles per sample; {cap['macs_per_sample']} MACs per "
          f"sample of {cap['capacity_macs_per_sample']} the lanes can do (efficiency {cap['efficiency']:.2f}; physical "
          f"limit {cap['physical_limit_macs_per_sample']})")
    weights = rep.get("weights")
    how = ""
    if weights:
        how = f"weights patched into the routed template in {weights['swap_seconds']} s" + (
            " after a full build; " if weights["full_build"] else ", no synthesis or place-and-route; ")
    played = rep["plays"]
    snr = f"{played['test_snr_db']} dB" if played["test_snr_db"] is not None else \
        f"unknown ({played['test_snr_source']})"
    print(f"  plays: fs {played['sample_rate_hz']:.1f} Hz, {played['latency_samples']['total']} samples late "
          f"(lookahead {played['latency_samples']['lookahead']} + pipeline {played['latency_samples']['pipeline']}), "
          f"{played['volts_per_unit']:g} V per unit, {played['params']} parameters, test SNR {snr}")
    print(f"  {how}{rep['build_seconds']} s in all; report {result.report_path}")
    return 0


def _clocks(clocks: dict) -> str:
    """Each clock's Fmax against its target and its slack in ns and per cent of the period."""
    return ", ".join(f"{d} {c['fmax_mhz']:.1f}/{c['target_mhz']:.2f} MHz (slack {c['slack_ns']:+.2f} ns, "
                     f"{c['slack_percent']:+.1f} %)" for d, c in clocks.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bitstream", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    boards = sorted(BOARDS)

    rtl = sub.add_parser("rtl", help="plan the network for a board and write <out>/network.v and plan.json")
    rtl.add_argument("--board", choices=boards, default=DEFAULT_BOARD,
                     help="board giving the clock and multiplier budget")
    rtl.add_argument("--weights", default="build/weights", help="QuantizedNetwork directory (make quantize)")
    rtl.add_argument("--out", default="build/rtl", help="output directory")
    rtl.add_argument("--clock-hz", type=positive_int("--clock-hz", 100_000_000),
                     help="network clock (default: the board's sync clock)")
    rtl.add_argument("--sample-rate", type=positive_int("--sample-rate", CODEC_SAMPLE_RATE_HZ),
                     help="samples per second (default: the board's codec rate)")
    rtl.add_argument("--multipliers", type=positive_int("--multipliers", 8),
                     help="multiplier budget (default: the board's spare ones)")
    rtl.add_argument("--name", default="network", help="Verilog module name")
    rtl.add_argument("--debug", action="store_true", help="add the per-layer observation ports")
    rtl.set_defaults(func=_rtl)

    build = sub.add_parser("build", help="synthesise, place and route build/<board>/top.bit and report.json")
    build.add_argument("--board", choices=boards, default=DEFAULT_BOARD)
    build.add_argument("--weights", default="build/weights", help="QuantizedNetwork directory (make quantize)")
    build.add_argument("--out", default="build", help="output root; products go to <out>/<board>/")
    build.add_argument("--allow-timing-fail", action="store_true",
                       help="keep a bitstream whose post-route Fmax misses a clock target (exit 0)")
    build.add_argument("--full", action="store_true",
                       help="synthesise and route again even when the routed template of this shape matches")
    build.add_argument("--cross-check-timing", action="store_true",
                       help="also place and route the same netlist for the part's conservative twin (ECPIX-5: "
                            "LFE5UM-85F speed 8 instead of the 5G model) and report both")
    build.add_argument("--seed", type=positive_int("--seed", 2), action="append", default=[],
                       help="also place and route the same netlist with this placer seed (repeatable)")
    build.set_defaults(func=_build)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
