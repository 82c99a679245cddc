"""``make bench``: run the registered measurements and merge them into ``build/bench/report.json``.

    python -m bench [names...]      # all entries if none given
    python -m bench --list

Each entry's dict replaces that entry's previous result in the report; the others are kept, so entries
can be rerun one at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .registry import load_entries

DEFAULT_REPORT = Path("build/bench/report.json")


def run(names: list[str], report_path: Path) -> dict:
    """Run the named entries (all if empty), merge into ``report_path``, return the whole report."""
    entries = load_entries()
    unknown = [name for name in names if name not in entries]
    if unknown:
        raise KeyError(f"unknown bench entr{'y' if len(unknown) == 1 else 'ies'} {unknown}; "
                       f"available: {sorted(entries)}")
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    for name in names or list(entries):
        function, _ = entries[name]
        print(f"bench {name} ...", flush=True)
        start = time.perf_counter()
        result = function()
        if not isinstance(result, dict):
            raise TypeError(f"bench entry {name!r} returned {type(result).__name__}, expected a dict")
        result = {**result, "bench_wall_seconds": time.perf_counter() - start,
                  "measured_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        report[name] = result
        print(json.dumps({name: result}, indent=2), flush=True)
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2) + "\n")  # after each entry: keep partial results
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="entries to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the entries and exit")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help=f"report file (default: {DEFAULT_REPORT})")
    args = parser.parse_args(argv)
    if args.list:
        for name, (_, description) in load_entries().items():
            print(f"{name:16s} {description}")
        return 0
    try:
        run(args.names, args.report)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
