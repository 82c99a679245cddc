"""Shared pieces of the sim/ tests: the one bit-exact assertion, the stand-in's expected result, random
vectors, and the corner checks that the Verilator and the Icarus runs both make."""

from __future__ import annotations

import numpy as np

from common.config import rounding_constant
from quantize.golden import GoldenResult, layer_accumulators, run_batch
from quantize.weights import QuantizedNetwork
from sim.check import check_design
from sim.compare import compare

from .checks import extreme_stimulus, ties_stimulus
from .standin import identity_network


def assert_bit_exact(result) -> None:
    """The one assertion every hardware comparison goes through (mutation tests expect it to fail)."""
    assert result.comparison.ok, result.describe()
    assert result.timing_ok, result.describe()
    assert not result.notes, result.describe()


def identity_golden(x: np.ndarray) -> GoldenResult:
    """The stand-in's expected result, from the golden model itself (identity weights, see standin.py)."""
    golden = run_batch(identity_network(x.shape[1]), x)
    assert np.array_equal(golden.output, x)  # the twin really is an identity, saturation included
    return golden


def random_vectors(rng, samples: int, channels: int, lo: int = -32768, hi: int = 32767) -> np.ndarray:
    x = rng.integers(lo, hi + 1, size=(samples, channels))
    x[rng.random(x.shape) < 0.05] = hi
    x[rng.random(x.shape) < 0.05] = lo
    return x.astype(np.int64)


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
