"""The same checks under Icarus Verilog, when it is installed (``make test`` does not need it: without
``iverilog`` these tests are skipped with the reason, never passed)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.check import check_design
from sim.compare import compare
from sim.stimulus import random_codes

from .helpers import assert_bit_exact, identity_golden, random_vectors

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


@pytest.mark.parametrize("k", range(3))
def test_icarus_random_network(icarus_bank, k):
    """Bit-exact under 4-state Icarus from the very first sample: an X anywhere in the output (formerly
    the first group's bias, from an ``always @*`` selection Icarus never evaluated at time 0) makes the
    bench raise :class:`~sim.runner.SimulationError`, which fails this test."""
    entry = icarus_bank[f"random{k}"]
    codes = random_codes(entry.net.config, 200, np.random.default_rng(300 + k), extremes=0.1)
    result = check_design(icarus_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                          serial_samples=60)
    assert_bit_exact(result)


def test_icarus_accumulators_at_their_worst_case(icarus_bank):
    from .helpers import extreme_case

    entry, x = extreme_case(icarus_bank)
    assert_bit_exact(check_design(icarus_bank.sim, entry.net, entry.plan, x, design=entry.index, serial=True,
                                  serial_samples=40))


def test_icarus_half_even_ties(icarus_bank):
    from .helpers import ties_check

    ties_check(icarus_bank)


def test_icarus_receptive_field_gaps(icarus_bank):
    entry = icarus_bank["gaps"]
    codes = random_codes(entry.net.config, 150, np.random.default_rng(8), extremes=0.1)
    assert_bit_exact(check_design(icarus_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                                  serial_samples=40))
