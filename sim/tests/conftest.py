"""Shared fixtures: one bank build per simulator for the whole test run (see :mod:`sim.tests.bank`)."""

from __future__ import annotations

import os

import pytest

from sim.simulators import simulator_available


def in_ci() -> bool:
    """``CI=true`` (what .ci/run runs under): the headline evidence must run, never skip."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require(simulator: str) -> None:
    """Skip (never pass) with the reason and the install hint when the simulator cannot run here; under
    CI fail instead, so a clean machine cannot go green without the check."""
    ok, reason = simulator_available(simulator)
    if not ok:
        if in_ci():
            pytest.fail(f"{simulator} unavailable with CI=true: {reason}")
        pytest.skip(f"{simulator} unavailable: {reason}")


@pytest.fixture(scope="session")
def verilator_bank(tmp_path_factory):
    require("verilator")
    from .bank import build_bank

    return build_bank(tmp_path_factory.mktemp("bank_verilator"), "verilator")


@pytest.fixture(scope="session")
def icarus_bank(tmp_path_factory):
    require("icarus")
    from .bank import build_bank

    return build_bank(tmp_path_factory.mktemp("bank_icarus"), "icarus", random_networks=3, components=False,
                      mutations=False)
