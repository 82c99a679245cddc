"""The bench registry: named measurements that ``python -m bench`` runs and reports.

An entry is a function taking no arguments and returning a JSON-serialisable dict of figures. Add one
by decorating it with :func:`bench` in a module of this package and listing that module in
``ENTRY_MODULES`` (so the registry is filled by importing them, and nothing runs at import time).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["BENCHES", "ENTRY_MODULES", "bench", "load_entries"]

#: Modules whose import registers bench entries; a new entry module is appended here.
ENTRY_MODULES = ["bench.golden_speed", "bench.entries", "bench.phase_inputs", "bench.train_speed"]

#: name -> (function, one-line description), in registration order.
BENCHES: dict[str, tuple[Callable[[], dict], str]] = {}


def bench(name: str, description: str = "") -> Callable[[Callable[[], dict]], Callable[[], dict]]:
    """Register ``function`` as bench entry ``name`` (names must be unique)."""

    def register(function: Callable[[], dict]) -> Callable[[], dict]:
        if name in BENCHES:
            raise ValueError(f"bench entry {name!r} is registered twice")
        BENCHES[name] = (function, description or (function.__doc__ or "").strip().split("\n")[0])
        return function

    return register


def load_entries() -> dict[str, tuple[Callable[[], dict], str]]:
    """Import every entry module and return the registry."""
    import importlib

    for module in ENTRY_MODULES:
        importlib.import_module(module)
    return BENCHES
