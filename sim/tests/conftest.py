"""Shared fixtures: one bank build per simulator for the whole session (see :mod:`sim.tests.bank`)."""

from __future__ import annotations

import pytest

from sim.simulators import simulator_available


def require(simulator: str) -> None:
    """Skip (never pass) with the reason when the simulator cannot run here."""
    ok, reason = simulator_available(simulator)
    if not ok:
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
