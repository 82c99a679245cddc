"""The same checks under Icarus Verilog, when it is installed (``make test`` does not need it: without
``iverilog`` these tests are skipped with the reason, never passed)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.check import check_design
from sim.compare import compare
from sim.runner import SimulationError
from sim.stimulus import random_codes

from .test_simulate import assert_bit_exact, identity_golden, random_vectors

pytestmark = pytest.mark.slow


def test_icarus_passthrough(icarus_bank):
    entry = icarus_bank["passthrough"]
    x = random_vectors(np.random.default_rng(11), 200, 4)
    run = icarus_bank.sim.run(x, lead=4, design=entry.index)
    assert compare(identity_golden(x), run).ok
    assert run.cycles_per_sample() == entry.extra["busy"] + 1


def test_icarus_catches_corruption(icarus_bank):
    entry = icarus_bank["corrupted"]
    x = random_vectors(np.random.default_rng(12), 60, 4)
    result = compare(identity_golden(x), icarus_bank.sim.run(x, lead=1, design=entry.index))
    assert result.first_failing_sample == entry.extra["corrupt_from"]


#: Known rtl problem (reported): under Icarus, which is 4-state, the generated network's first output
#: carries X bits (seen in layer 0, channel 0, i.e. the first group computed after reset), so some
#: register in the generated Verilog is used before it is initialised; Verilator is 2-state (X reads as
#: 0) and is bit-exact. Until rtl/ fixes it, an X failure is an expected failure; any other failure
#: (a wrong integer, wrong timing) fails the test.
X_FAILURE = "X/Z bits"


@pytest.mark.parametrize("k", range(3))
def test_icarus_random_network(icarus_bank, k):
    entry = icarus_bank[f"random{k}"]
    codes = random_codes(entry.net.config, 200, np.random.default_rng(300 + k), extremes=0.1)
    try:
        result = check_design(icarus_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                              serial_samples=60)
    except SimulationError as exc:
        if X_FAILURE in str(exc):
            pytest.xfail(f"known rtl issue, X under 4-state Icarus: {exc}")
        raise
    assert_bit_exact(result)
