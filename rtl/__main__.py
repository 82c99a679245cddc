"""``python -m rtl``: schedule the network and write ``build/rtl/network.v`` and ``build/rtl/plan.json``.

With no overrides the plan is the one ``make bitstream`` builds for ``--board`` (default ecpix5): the board's
real network clock and codec rate, and its multipliers minus those the board top level uses. ``--clock-hz``,
``--sample-rate`` and ``--multipliers`` override single figures. The plan
is checked (and a :class:`~rtl.plan.PlanError` reported with what would fit) before any Verilog is written.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from boards.build import BuildError, plan_for_board, reserved_multipliers
from boards.registry import get_board
from quantize.weights import QuantizedNetwork, WeightsError

from .plan import PlanError, make_plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rtl", description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="build/weights", help="directory written by `make quantize`")
    parser.add_argument("--out", default="build/rtl", help="output directory")
    parser.add_argument("--board", default="ecpix5", help="board giving the clock and multiplier budget")
    parser.add_argument("--clock-hz", type=int, help="network clock (default: the board's sys clock)")
    parser.add_argument("--sample-rate", type=int, help="samples per second (default: the config's)")
    parser.add_argument("--multipliers", type=int, help="multiplier budget (default: the board's)")
    parser.add_argument("--name", default="network", help="Verilog module name")
    parser.add_argument("--debug", action="store_true", help="add the per-layer observation ports")
    args = parser.parse_args(argv)

    try:
        board = get_board(args.board)
    except KeyError as exc:
        parser.error(str(exc.args[0]))
    try:
        net = QuantizedNetwork.load(args.weights)
    except (WeightsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = net.config
    try:
        if args.clock_hz is None and args.sample_rate is None and args.multipliers is None:
            # Exactly the plan the bitstream build uses: the board's real clocks, minus the multipliers the
            # board top level spends outside the network (calibration, scaling).
            plan = plan_for_board(config, board)
        else:
            # The board's codec clock may run a hair faster than the nominal rate: plan for the faster one
            # so the network always keeps up with the real codec.
            sample_rate = args.sample_rate or max(config.sample_rate_hz, math.ceil(board.sample_rate_hz))
            multipliers = (args.multipliers if args.multipliers is not None
                           else board.multipliers - reserved_multipliers(config))
            plan = make_plan(config, clock_hz=args.clock_hz or int(board.sys_clock_hz),
                             sample_rate_hz=sample_rate, multipliers=multipliers)
    except (PlanError, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    from .generate import generate_verilog  # after the plan check: elaboration is the slow part

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "network.v").write_text(generate_verilog(net, plan, name=args.name, debug=args.debug))
    plan.to_json(out / "plan.json")
    print(plan.summary())
    print(f"wrote {out / 'network.v'} and {out / 'plan.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
