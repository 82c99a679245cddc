"""The generated Verilog in its corners under cocotb (Verilator; Icarus in test_icarus.py): accumulators at
their worst case, exact half_even ties (counted), receptive-field gaps; and RTL-side mutations of the
generator that the bit-exact comparison must catch. Networks and mutations: :mod:`sim.tests.checks`."""

from __future__ import annotations

import numpy as np
import pytest

from sim.check import check_design
from sim.stimulus import random_codes

from .checks import triangle_codes
from .helpers import assert_bit_exact, extreme_case, ties_check

pytestmark = pytest.mark.slow


def test_accumulators_at_their_worst_case_are_bit_exact(verilator_bank):
    entry, x = extreme_case(verilator_bank)
    assert_bit_exact(check_design(verilator_bank.sim, entry.net, entry.plan, x, design=entry.index, serial=True,
                                  serial_samples=80))


def test_half_even_ties_are_bit_exact(verilator_bank):
    down, up = ties_check(verilator_bank)
    print(f"half_even ties per layer: rounded down {down}, rounded up {up}")


def test_network_with_receptive_field_gaps(verilator_bank):
    entry = verilator_bank["gaps"]
    codes = random_codes(entry.net.config, 300, np.random.default_rng(8), extremes=0.1)
    assert_bit_exact(check_design(verilator_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                                  serial_samples=80))


@pytest.fixture(scope="module")
def reference_codes(verilator_bank):
    entry = verilator_bank["reference"]
    codes = random_codes(entry.net.config, 200, np.random.default_rng(9), extremes=0.05)
    # the unmutated design passes: the mutations below fail because of what was changed
    assert_bit_exact(check_design(verilator_bank.sim, entry.net, entry.plan, codes, design=entry.index))
    return codes


@pytest.mark.parametrize("name", ["mut_rom_word", "mut_bias_word", "mut_rounding", "mut_tap_order"])
def test_rtl_mutation_fails(verilator_bank, reference_codes, name):
    entry = verilator_bank[name]
    result = check_design(verilator_bank.sim, entry.net, entry.plan, reference_codes, design=entry.index,
                          diagnose=False)
    print(f"{entry.extra['mutation']}: {result.comparison.describe()}")
    with pytest.raises(AssertionError, match="output samples differ"):
        assert_bit_exact(result)


def test_narrower_accumulator_fails(verilator_bank):
    _, x = extreme_case(verilator_bank)
    entry = verilator_bank["mut_narrow_acc"]
    result = check_design(verilator_bank.sim, entry.net, entry.plan, x, design=entry.index, diagnose=False)
    print(f"{entry.extra['mutation']}: {result.comparison.describe()}")
    with pytest.raises(AssertionError, match="output samples differ"):
        assert_bit_exact(result)


def test_front_end_mutation_fails(verilator_bank):
    """The front end's swing latched from the wrong extreme: the unmutated design is bit-exact on a fast
    triangle core (a turn every 20 samples), the mutant is not."""
    codes = triangle_codes(400)
    turns = int(np.sum(np.diff(np.sign(np.diff(codes[:, 0]))) != 0))
    assert turns >= 10
    reference = verilator_bank["fe_reference"]
    assert_bit_exact(check_design(verilator_bank.sim, reference.net, reference.plan, codes, design=reference.index))
    entry = verilator_bank["mut_swing"]
    result = check_design(verilator_bank.sim, entry.net, entry.plan, codes, design=entry.index, diagnose=False)
    print(f"{entry.extra['mutation']}: {result.comparison.describe()}")
    with pytest.raises(AssertionError, match="output samples differ"):
        assert_bit_exact(result)

