"""``python -m rtl``: schedule the network and write ``network.v`` and ``plan.json`` for an operating point.

The operating point is given explicitly: the network clock (``--clock-hz``), the multiplier budget
(``--multipliers``) and the sample rate (``--sample-rate``, default: the one the model was trained for).
``make rtl`` plans for a board instead, through ``python -m bitstream rtl``, which derives these figures from
the board's real clocks and spare multipliers and then writes the same two files. The plan is checked
(and a :class:`~rtl.plan.PlanError` reported with what would fit) before any Verilog is written.
"""

from __future__ import annotations

import argparse
import sys

from common.cli import positive_int
from quantize.weights import QuantizedNetwork, WeightsError

from .plan import PlanError, make_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rtl", description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="build/weights", help="directory written by `make quantize`")
    parser.add_argument("--out", default="build/rtl", help="output directory")
    parser.add_argument("--clock-hz", type=positive_int("--clock-hz", 100_000_000), required=True,
                        help="network clock in Hz")
    parser.add_argument("--sample-rate", type=positive_int("--sample-rate", 192_000),
                        help="samples per second (default: the config's)")
    parser.add_argument("--multipliers", type=positive_int("--multipliers", 8), required=True,
                        help="multiplier budget")
    parser.add_argument("--name", default="network", help="Verilog module name")
    parser.add_argument("--debug", action="store_true", help="add the per-layer observation ports")
    args = parser.parse_args(argv)

    try:
        net = QuantizedNetwork.load(args.weights)
    except (WeightsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = net.config
    try:
        plan = make_plan(config, clock_hz=args.clock_hz, sample_rate_hz=args.sample_rate or config.sample_rate_hz,
                         multipliers=args.multipliers)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from .generate import write_rtl  # after the plan check: elaboration is the slow part

    verilog_path, plan_path = write_rtl(net, plan, args.out, name=args.name, debug=args.debug)
    print(plan.summary())
    print(f"wrote {verilog_path} and {plan_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
