"""``python -m rtl.formal`` (``make formal``): every bounded check of :mod:`rtl.formal` and every mutant, which
it must reject; then every unbounded proof (k-induction) and its mutants, which it must reject too (those that
come only after many samples: while the bounded check misses them). Writes the sby work directories under
``build/formal/`` and exits non-zero on any surprise."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import MUTANTS, PROOFS, UNBOUNDED, UNBOUNDED_MUTANTS
from .sby import SbyUnavailable, prove


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rtl.formal", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/formal", help="sby work directories (default build/formal)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    start = time.perf_counter()
    ok = True
    cases = {case.name: case for case in PROOFS}
    try:
        for case in PROOFS:
            harness, depth = case.build()
            result = prove(harness, out / case.name, depth, name=case.name)
            verdict = ("proved" if result.proved
                       else f"NOT PROVED (failed {result.failed}, unreached {result.unreached})")
            print(f"{case.name}: {sorted(harness.properties)} bounded, over {depth} cycles: {verdict} "
                  f"({result.seconds:.1f} s)")
            ok &= result.proved
        for proof, mutant, prop in MUTANTS:
            harness, depth = cases[proof].build(mutant, prop)
            result = prove(harness, out / f"mutant_{mutant.__name__}", depth, name=mutant.__name__)
            rejected = result.status.get("bmc") == "FAIL" and result.failed == [prop]
            print(f"mutant {mutant.__name__} ({proof}): {prop} {'rejected' if rejected else 'NOT REJECTED'} "
                  f"({result.seconds:.1f} s)")
            ok &= rejected
        for name, k in UNBOUNDED:
            harness, _ = cases[name].build()
            result = prove(harness, out / f"unbounded_{name}", k, name=name, mode="prove")
            verdict = "proved for every cycle" if result.proved else f"NOT PROVED ({result.status}, {result.failed})"
            print(f"{name}: {sorted(harness.properties)} unbounded, k-induction with k = {k}: {verdict} "
                  f"({result.seconds:.1f} s)")
            ok &= result.proved
        depths = dict(UNBOUNDED)
        for proof, mutant, prop, bounded_catches in UNBOUNDED_MUTANTS:
            harness, depth = cases[proof].build(mutant)
            result = prove(harness, out / f"unbounded_mutant_{mutant.__name__}", depths[proof], name=mutant.__name__,
                           mode="prove")
            rejected = result.status.get("prove") in ("FAIL", "UNKNOWN") and prop in result.failed
            note = ""
            if not bounded_catches:
                bounded = prove(harness, out / f"bounded_mutant_{mutant.__name__}", depth, name=mutant.__name__)
                missed = bounded.status.get("bmc") == "PASS"
                note = f"; the bounded check over {depth} cycles {'misses it' if missed else 'CATCHES IT'}"
                ok &= missed
            print(f"unbounded mutant {mutant.__name__} ({proof}): {prop} {'rejected' if rejected else 'NOT REJECTED'} "
                  f"({result.status.get('prove')}){note} ({result.seconds:.1f} s)")
            ok &= rejected
    except SbyUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'all proofs hold and every mutant is rejected' if ok else 'FAILED'} "
          f"({time.perf_counter() - start:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
