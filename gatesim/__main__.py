"""``python -m gatesim`` (``make gatesim``): the mapped ECP5 netlist bit-exact against the golden model.

For each network asked for (``--network``, default the trained one of ``build/weights``):

1. synthesise the signal path for the board as the board build does (:mod:`gatesim.netlist`);
2. simulate the netlist with the cell models (:mod:`gatesim.library`) under Verilator over ``--samples``
   samples of the embedding sweep, and under Icarus over the first ``--icarus-samples`` of them: every output
   sample compared with the golden model as integers, the cycles per sample measured against the plan;
3. for the first network, simulate each mutation of :mod:`gatesim.mutations` under Verilator, each of which
   must make the comparison fail.

Writes ``build/gatesim/report.json`` and exits non-zero on any mismatch, a timing that differs from the
plan, or a mutation that passes. Bad arguments and missing inputs are named before any synthesis starts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from sim.simulators import SIMULATORS, SimulatorUnavailable, check_simulator

from .mutations import MUTATIONS
from .networks import NETWORKS

#: Samples under Verilator (about a minute of simulation for the default network).
DEFAULT_SAMPLES = 20_000
#: Samples under Icarus: about 150 netlist cycles per second, so a few dozen samples take minutes.
DEFAULT_ICARUS_SAMPLES = 24
#: Samples per mutant: each must fail well within them.
DEFAULT_MUTATION_SAMPLES = 200


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m gatesim", description=__doc__.splitlines()[0])
    parser.add_argument("--network", action="append", choices=NETWORKS,
                        help="network(s) to check (repeatable; default: trained)")
    parser.add_argument("--weights", default="build/weights", help="directory written by make quantize")
    parser.add_argument("--board", default="ecpix5", help="board whose platform and plan the netlist is built for")
    parser.add_argument("--samples", type=positive, default=DEFAULT_SAMPLES,
                        help=f"samples under Verilator (default {DEFAULT_SAMPLES})")
    parser.add_argument("--icarus-samples", type=positive, default=DEFAULT_ICARUS_SAMPLES,
                        help=f"samples under Icarus, 0 to skip it (default {DEFAULT_ICARUS_SAMPLES})")
    parser.add_argument("--mutation-samples", type=positive, default=DEFAULT_MUTATION_SAMPLES,
                        help=f"samples per mutant, 0 to skip the mutations (default {DEFAULT_MUTATION_SAMPLES})")
    parser.add_argument("--cxx-opt", default="1", choices=("0", "1", "2", "3"),
                        help="g++ -O level of the Verilator model (1: a fair trade of build and run time)")
    parser.add_argument("--out", default="build/gatesim", help="netlists, simulator builds and report.json go here")
    args = parser.parse_args(argv)
    args.network = args.network or ["trained"]
    if len(set(args.network)) != len(args.network):
        parser.error(f"--network given twice: {' '.join(args.network)}")
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


#: A short run (Icarus) measures its cycles per sample over its last intervals, once the pipeline is full.
TAIL_INTERVALS = 8


def measured_cycles(result) -> int | None:
    """The cycles between input handshakes once the pipeline is full: the stream's steady state
    (:meth:`sim.runner.SimRun.cycles_per_sample`), or, for a run too short for its rule, the last
    :data:`TAIL_INTERVALS` intervals of a run at least twice that long, if they all agree."""
    steady = result.cycles_per_sample
    if steady is not None:
        return steady
    intervals = result.stream.interval
    if len(intervals) < 2 * TAIL_INTERVALS:
        return None
    values = set(intervals[-TAIL_INTERVALS:].tolist())
    return values.pop() if len(values) == 1 else None


def _run_row(name: str, result, samples_per_second: float) -> dict:
    cmp = result.comparison
    cycles = measured_cycles(result)
    return {
        "simulator": result.simulator,
        "network": name,
        "samples_checked": cmp.samples_checked,
        "mismatches": cmp.mismatches,
        "missing": cmp.missing,
        "first_failing_sample": cmp.first_failing_sample,
        "cycles_per_sample": cycles,
        "plan_cycles_per_sample": result.plan_cycles_per_sample,
        "samples_per_second": round(samples_per_second, 1),
        "build_seconds": round(result.build_seconds, 1),
        "ok": cmp.ok and not result.stream.overrun and cycles == result.plan_cycles_per_sample,
    }


def check_one(choice, args, out: Path, *, mutations: bool) -> dict:
    """Synthesise, simulate and mutate one network; its part of the report."""
    from bitstream.plan import plan_for_board
    from boards.registry import get_board
    from quantize.golden import run_waveshaper
    from sim.stimulus import embedding_sweep_codes

    from .bench import check_netlist, netlist_simulation
    from .mutations import mutate
    from .netlist import MODULE, synthesize

    net, board = choice.net, get_board(choice.board)
    config = net.config
    plan = plan_for_board(config, board)
    work = out / choice.name
    netlist = synthesize(net, plan, board, work / "netlist")
    print(f"{choice.name}: {netlist.verilog} in {netlist.synthesis_seconds:.0f} s; cells: "
          + ", ".join(f"{k} {v}" for k, v in netlist.cells.items()))
    codes = embedding_sweep_codes(config, args.samples)
    golden = run_waveshaper(net, codes)
    width = config.data_format.width
    entry = {"network": choice.name, "config": config.name, "board": board.name,
             "parameters": config.params,
             "netlist": str(netlist.verilog), "cells": netlist.cells,
             "synthesis_seconds": netlist.synthesis_seconds, "runs": [], "mutations": {}}
    for simulator, samples in (("verilator", args.samples), ("icarus", args.icarus_samples)):
        if samples == 0:
            continue
        samples = min(samples, len(codes))
        print(f"{choice.name}: {simulator}, {samples} samples of the embedding sweep "
              f"(plan {plan.signal_path_cycles} cycles/sample)")
        sim = netlist_simulation([netlist.verilog], work / simulator, simulator=simulator, lane_width=width,
                                 cxx_opt=args.cxx_opt)
        sub = type(golden)(golden.output[:samples], [a[:samples] for a in golden.activations])
        start = time.perf_counter()
        result = check_netlist(sim, net, plan, codes[:samples], golden=sub, progress=simulator == "verilator")
        rate = result.stream.samples_per_second
        row = _run_row(choice.name, result, rate)
        print(f"  {result.comparison.describe()}; cycles per sample: measured {row['cycles_per_sample']}, plan "
              f"{row['plan_cycles_per_sample']}\n  {rate:.2f} samples/s ({time.perf_counter() - start:.0f} s)")
        entry["runs"].append(row)
    if mutations:
        text = netlist.verilog.read_text()
        paths, modules = [], []
        for name in MUTATIONS:
            module = f"{MODULE}_{name}"
            path = work / "mutants" / f"{module}.v"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(mutate(text, name).replace(f"module {MODULE}(", f"module {module}(", 1))
            paths.append(path)
            modules.append(module)
        samples = min(args.mutation_samples, len(codes))
        print(f"{choice.name}: {len(paths)} mutants under Verilator, {samples} samples each")
        sim = netlist_simulation(paths, work / "mutants" / "verilator", simulator="verilator", lane_width=width,
                                 modules=modules, cxx_opt="0")
        sub = type(golden)(golden.output[:samples], [a[:samples] for a in golden.activations])
        for index, name in enumerate(MUTATIONS):
            result = check_netlist(sim, net, plan, codes[:samples], design=index, golden=sub)
            caught = not result.comparison.ok
            print(f"  {name} ({MUTATIONS[name][0]}): {result.comparison.describe()} -> "
                  f"{'caught' if caught else 'NOT CAUGHT'}")
            entry["mutations"][name] = {"description": MUTATIONS[name][0], "samples_checked": samples,
                                        "mismatches": result.comparison.mismatches, "caught": caught}
    entry["ok"] = all(run["ok"] for run in entry["runs"]) and all(m["caught"] for m in entry["mutations"].values())
    return entry


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    from boards.registry import get_board
    from quantize.weights import WeightsError

    from .networks import load_network

    try:
        get_board(args.board)
        choices = [load_network(name, weights=args.weights, board=args.board) for name in args.network]
    except (KeyError, WeightsError, FileNotFoundError, ValueError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
        hint = " (run `make quantize` first)" if "trained" in args.network and not Path(args.weights).exists() else ""
        print(f"error: {message}{hint}", file=sys.stderr)
        return 2
    for simulator in SIMULATORS:
        if simulator == "icarus" and args.icarus_samples == 0:
            continue
        try:
            check_simulator(simulator)
        except SimulatorUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    entries = []
    for index, choice in enumerate(choices):
        entries.append(check_one(choice, args, out, mutations=index == 0 and args.mutation_samples > 0))
    report = {"networks": entries, "ok": all(e["ok"] for e in entries),
              "wall_seconds": round(time.perf_counter() - start, 1)}
    path = out / "report.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    mutated = any(entry["mutations"] for entry in entries)
    verdict = "bit-exact, plan's timing" + (", every mutation caught" if mutated else "")
    verdict = verdict if report["ok"] else "FAILED"
    print(f"gate level: {verdict}; wrote {path} ({math.ceil(report['wall_seconds'])} s)")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
