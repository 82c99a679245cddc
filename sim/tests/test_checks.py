"""The generated Verilog in its corners under cocotb (Verilator; Icarus in test_icarus.py): accumulators at
their worst case, exact half_even ties (counted), receptive-field gaps; and RTL-side mutations of the
generator that the bit-exact comparison must catch. Networks and mutations: :mod:`sim.tests.checks`."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import rounding_constant
from quantize.golden import layer_accumulators, run_batch
from quantize.weights import QuantizedNetwork
from sim.check import check_design
from sim.compare import compare
from sim.stimulus import random_codes

from .checks import extreme_stimulus, ties_stimulus, triangle_codes
from .test_simulate import assert_bit_exact

pytestmark = pytest.mark.slow


def accumulators(net: QuantizedNetwork, x: np.ndarray) -> list[np.ndarray]:
    """Every layer's accumulator as the hardware holds it (R included), on the golden model's own inputs."""
    golden = run_batch(net, x)
    inputs = [x, *golden.activations[:-1]]
    return [layer_accumulators(net, i, inputs[i]) + rounding_constant(net.config) for i in range(len(inputs))]


def extreme_case(bank):
    entry = bank["extreme"]
    x = extreme_stimulus(np.random.default_rng(5))
    acc = accumulators(entry.net, x)
    # By hand: layer 0 sums 4 products (-2**15) * (-2**15) = 2**30, the bias (2**15 - 1) << 12 and R = 2**11;
    # layer 1 sums 4 products (-2**15) * (2**15 - 1) (its ReLU inputs saturated at the top code), the bias
    # -2**15 << 12 and R. These are ModelConfig.accumulator_bits' extremes; both need 34 bits, and neither
    # fits 33 (range -2**32 .. 2**32 - 1).
    top = 4 * 2**30 + (2**15 - 1) * 2**12 + 2**11
    bottom = 4 * (-(2**15)) * (2**15 - 1) - 2**15 * 2**12 + 2**11
    assert int(acc[0].max()) == top == 4_429_182_976 > 2**32 - 1
    assert int(acc[1].min()) == bottom == -4_429_051_904 < -(2**32)
    assert [entry.net.config.accumulator_bits(i) for i in (0, 1)] == [34, 34]
    return entry, x


def test_accumulators_at_their_worst_case_are_bit_exact(verilator_bank):
    entry, x = extreme_case(verilator_bank)
    assert_bit_exact(check_design(verilator_bank.sim, entry.net, entry.plan, x, design=entry.index, serial=True,
                                  serial_samples=80))


def count_ties(net: QuantizedNetwork, x: np.ndarray) -> tuple[list[int], list[int]]:
    """Per layer: exact ties (acc mod 2**shift == 2**(shift-1), R = 0 for half_even) that half_even rounded
    down (even floor) and up (odd floor)."""
    shift = net.config.requant_shift
    down, up = [], []
    for acc in accumulators(net, x):
        tie = (acc & ((1 << shift) - 1)) == (1 << (shift - 1))
        odd = ((acc >> shift) & 1) == 1
        down.append(int(np.sum(tie & ~odd)))
        up.append(int(np.sum(tie & odd)))
    return down, up


def ties_check(bank):
    entry = bank["ties"]
    assert entry.net.config.rounding == "half_even"
    x = ties_stimulus(np.random.default_rng(6))
    down, up = count_ties(entry.net, x)
    # ties in every layer, rounded both ways (to the even neighbour below and above)
    assert min(down) >= 50 and min(up) >= 50, (down, up)
    result = check_design(bank.sim, entry.net, entry.plan, x, design=entry.index, serial=True, serial_samples=100)
    assert_bit_exact(result)
    # the ties decide the result: the same hardware output compared with a half_up golden model differs
    half_up = QuantizedNetwork(entry.net.config.replace(rounding="half_up"), entry.net.layers)
    assert not compare(run_batch(half_up, x), result.stream).ok
    return down, up


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

