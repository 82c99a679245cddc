"""``python -m train.summary``: one line per trained network, the README's sound table, from training reports.

    python -m train.summary build/train build/train/colorlight_i5 build/train/ecpix5

Each directory is a ``make train`` output whose ``report.json`` the golden-model score has completed
(``python -m quantize.score``). A row gives the config, its size, the recipe (and the network it was grown
from), the golden model's SNR over all waves on the headline test takes, the worst wave x band cell, the
imperfect cores, the audible band, the development takes, and the training's wall and CPU time: what a user
weighs when choosing a config for the sound as well as for the board.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["HEADER", "cell_gaps", "main", "row"]

HEADER = ("| config | parameters | recipe | all waves (dB) | worst cell (dB) | imperfect cores (dB) "
          "| audible band (dB) | development takes (dB) | training wall (CPU) |\n"
          "|---|---|---|---|---|---|---|---|---|")


class SummaryError(Exception):
    pass


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f} min"


def _db(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def cell_gaps(cell: dict | None) -> str:
    """What a worst cell (``train.evaluate.worst_cell``) leaves out, as the reports print it after the cell
    (``"; no take reached blend 1760-4186 Hz"``), or ``""`` when it covers every cell."""
    return f"; no take reached {', '.join(cell['missing'])} Hz" if cell and cell.get("missing") else ""


def row(report: dict) -> str:
    """The table row of one training report (``report.json`` after the golden-model score)."""
    golden = report.get("golden")
    if not golden:
        raise SummaryError("it has no golden-model figures: run `python -m quantize.score --train-dir` on it "
                           "(make train does)")
    recipe = report.get("recipe", "default")
    grown = report.get("init_from")
    if grown:
        recipe += f", grown from {grown['config']}"
    cell = golden.get("worst_cell")
    cell_text = "-" if cell is None else f"{cell['snr_db']:.1f} ({cell['group']}, {cell['band']} Hz{cell_gaps(cell)})"
    imperfect = golden.get("imperfect_test_snr_db", {}).get("all")
    audible = (golden.get("audible_snr_db") or {}).get("all")
    dev = golden.get("dev", {}).get("test_snr_db", {}).get("all")
    score_seconds = report.get("score_seconds", 0.0)
    wall = report.get("wall_seconds")
    return (f"| {report['config']} | {report['params']:,} | {recipe} | **{_db(golden['test_snr_db']['all'])}** "
            f"| {cell_text} | {_db(imperfect)} | {_db(audible)} | {_db(dev)} "
            f"| {_minutes(None if wall is None else wall + score_seconds)} ({_minutes(report.get('cpu_seconds'))}) |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m train.summary", description=__doc__.splitlines()[0])
    parser.add_argument("train_dirs", nargs="+", type=Path, help="make train outputs (TRAIN_OUT)")
    args = parser.parse_args(argv)
    rows = []
    for directory in args.train_dirs:
        path = directory / "report.json"
        try:
            rows.append(row(json.loads(path.read_text())))
        except FileNotFoundError:
            print(f"error: {path} is missing: train there first (make train TRAIN_OUT={directory})", file=sys.stderr)
            return 2
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
            print(f"error: {path}: not a training report ({exc!r}); rerun make train there", file=sys.stderr)
            return 2
        except SummaryError as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            return 2
    print(HEADER)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
