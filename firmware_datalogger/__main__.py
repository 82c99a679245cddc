"""CLI: ``python -m firmware_datalogger {plan,build,capture}``."""

from __future__ import annotations

import argparse
import sys

from boards.eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ

from .capture import INTERRUPTED, CaptureError, capture, parse_roles
from .rate_plan import RatePlanError


def _add_plan_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--board", default="ecpix5", help="board name from boards.registry (default ecpix5)")
    p.add_argument("--channels", default="0,1", help="input jacks to record, e.g. 0,1 or 0,1,2,3 (default 0,1)")
    p.add_argument("--rate", type=int, default=CODEC_SAMPLE_RATE_HZ,
                   help=f"recorded sample rate in Hz: {CODEC_SAMPLE_RATE_HZ} divided by an integer "
                        f"(default {CODEC_SAMPLE_RATE_HZ})")
    p.add_argument("--baud", type=int, default=None, help="UART rate (default: the board link's maximum)")
    p.add_argument("--samples-per-frame", type=int, default=256)
    p.add_argument("--max-link-use", type=float, default=0.9,
                   help="largest fraction of the link the plan may fill (default 0.9)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m firmware_datalogger", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    p_plan = sub.add_parser("plan", help="check a rate plan without building")
    _add_plan_args(p_plan)
    p_build = sub.add_parser("build", help="build the datalogger bitstream (rate plan checked first)")
    _add_plan_args(p_build)
    p_build.add_argument("--out-root", default="build")
    p_build.add_argument("--allow-timing-fail", action="store_true")
    p_cap = sub.add_parser("capture", help="record the serial stream into WAV + manifest")
    p_cap.add_argument("--port", required=True, help="serial device or pyserial URL, e.g. /dev/ttyUSB1")
    p_cap.add_argument("--seconds", type=float, default=60.0)
    p_cap.add_argument("--out", required=True, help="output directory, e.g. captures/take1")
    p_cap.add_argument("--channels", default=None,
                       help="role of each recorded channel, e.g. core,sine,square,ramp (default: core,sine,...)")
    p_cap.add_argument("--segment", default=None,
                       help="take name (default: the --out directory's name; _2, _3... when appending)")
    p_cap.add_argument("--baud", type=int, default=12_000_000)
    p_cap.add_argument("--timeout", type=float, default=3.0, help="seconds to wait for data / a valid frame")
    args = ap.parse_args(argv)

    try:
        if args.command in ("plan", "build"):
            from .build import BuildError, board_plan, build_datalogger, parse_channels

            channels = parse_channels(args.channels)
            try:
                if args.command == "plan":
                    _, p, _ = board_plan(args.board, channels, args.rate, baud=args.baud,
                                         samples_per_frame=args.samples_per_frame, max_link_use=args.max_link_use)
                    print(f"rate plan OK: {p.summary()}")
                    return 0
                report = build_datalogger(args.board, channels, args.rate, baud=args.baud,
                                          samples_per_frame=args.samples_per_frame, max_link_use=args.max_link_use,
                                          out_root=args.out_root, allow_timing_fail=args.allow_timing_fail)
            except BuildError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            clocks = ", ".join(f"{n} {c['fmax_mhz']:.1f}/{c['target_mhz']:.1f} MHz"
                               for n, c in report["clocks"].items())
            print(f"built {report['bitstream']} (timing {'met' if report['timing_met'] else 'NOT met'}: {clocks})")
            return 0
        if args.port is None:
            raise CaptureError("--port is required")
        result = capture(args.port, args.seconds, args.out, roles=parse_roles(args.channels), baud=args.baud,
                         timeout=args.timeout, segment=args.segment)
        s = result.stats
        print(f"{'stopped early: ' if result.interrupted else ''}saved {result.seconds:.2f} s "
              f"({result.samples} samples @ {result.sample_rate_hz} Hz) of take {result.take!r} in "
              f"{len(result.files)} file(s); manifest {result.manifest}; lost frames {s['lost_frames']}, CRC errors "
              f"{s['crc_errors']}, bytes skipped {s['bytes_skipped']}, overrun samples {s['overrun_samples']}, "
              f"restarts {s['restarts']} (each gap starts a new file)")
        if s["stopped_by"] and s["stopped_by"] != INTERRUPTED:
            print(f"error: the capture stopped before {args.seconds:g} s: {s['stopped_by']}; what arrived until "
                  "then is saved and listed above", file=sys.stderr)
            return 1
        return 0
    except (RatePlanError, CaptureError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
