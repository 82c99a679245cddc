"""``python -m boards``: ``build`` a bitstream (make bitstream), ``flash`` it (make flash), ``list`` boards."""

from __future__ import annotations

import argparse
import json
import sys

from .registry import BOARDS, DEFAULT_BOARD


def _build(args) -> int:
    from quantize.weights import QuantizedNetwork, WeightsError

    from .build import BuildError, build_board

    try:
        net = QuantizedNetwork.load(args.weights)
    except (FileNotFoundError, WeightsError) as exc:
        print(f"error: cannot load weights from {args.weights}: {exc}", file=sys.stderr)
        return 2
    try:
        result = build_board(args.board, net, out_root=args.out, allow_timing_fail=args.allow_timing_fail)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    rep = result.report
    util = rep["utilisation"]
    print(f"{result.bitstream}: timing {'met' if rep['timing_met'] else 'NOT MET'}; "
          + ", ".join(f"{d} {c['fmax_mhz']:.1f}/{c['target_mhz']:.2f} MHz" for d, c in rep["clocks"].items()))
    print("  " + ", ".join(f"{k} {util[k]['used']}/{util[k]['available']}"
                           for k in ("TRELLIS_COMB", "TRELLIS_FF", "DP16KD", "MULT18X18D")))
    print(f"  fs {rep['sample_rate_hz']:.1f} Hz, {rep['cycles_per_sample']}/{rep['cycle_budget']} cycles per sample, "
          f"{rep['build_seconds']} s; report {result.report_path}")
    return 0


def _flash(args) -> int:
    from .flash import FlashError, flash_board

    try:
        output = flash_board(args.board, bitstream=args.bitstream, to_flash=args.flash, build_root=args.out)
    except FlashError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(output.strip())
    return 0


def _list(args) -> int:
    for _name, board in sorted(BOARDS.items()):
        print(json.dumps(board.summary()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m boards", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    boards = sorted(BOARDS)

    build = sub.add_parser("build", help="synthesise, place and route build/<board>/top.bit and report.json")
    build.add_argument("--board", choices=boards, default=DEFAULT_BOARD)
    build.add_argument("--weights", default="build/weights", help="QuantizedNetwork directory (make quantize)")
    build.add_argument("--out", default="build", help="output root; products go to <out>/<board>/")
    build.add_argument("--allow-timing-fail", action="store_true",
                       help="keep a bitstream whose post-route Fmax misses a clock target (exit 0)")
    build.set_defaults(func=_build)

    flash = sub.add_parser("flash", help="program the board with openFPGALoader (SRAM unless --flash)")
    flash.add_argument("--board", choices=boards, default=DEFAULT_BOARD)
    flash.add_argument("--flash", action="store_true", help="write the SPI flash instead of SRAM")
    flash.add_argument("--bitstream", default=None, help="default: <out>/<board>/top.bit")
    flash.add_argument("--out", default="build")
    flash.set_defaults(func=_flash)

    listing = sub.add_parser("list", help="print the registered boards as JSON lines")
    listing.set_defaults(func=_list)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
