"""How the C code holds and multiplies each layer's numbers: decided from the config and the weights.

A Cortex-M7 multiplies two 16-bit pairs and adds both products to an accumulator in one instruction
(SMLAD into 32 bits, SMLALD into 64 bits). Both are exact only when every weight and every activation is
a 16-bit code and the accumulator cannot overflow, so the plan decides per network and per layer:

* **pairs** (``simd``): ``weight_format`` and ``data_format`` at most 16 bits wide. Two channels share one
  32-bit word, low half first, and one instruction does two multiply-accumulates. Wider formats keep one
  channel per 32-bit word and multiply one pair at a time (a 32 x 32 -> 64-bit multiply-accumulate).
* **accumulator width**: docs/arithmetic.md sizes the accumulator for the worst *weights*
  (``ModelConfig.accumulator_bits``); here the weights are known, so the exact extremes of every partial
  sum follow from them and from the range each input channel can take (a ReLU output is never negative;
  the direction input is only ever -1.0 or +1.0; a ``zero`` channel is 0). Where those extremes fit 32
  bits, the layer accumulates in 32 bits (one register per output), else in 64 bits (two registers).

Every input range contains 0, so each product's smallest value is <= 0 <= its largest, and every partial
sum (the start value plus any subset of the products) lies between the two extremes: no intermediate sum
can overflow either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.config import ModelConfig, rounding_constant
from common.front_end import direction_code
from quantize.weights import QuantizedNetwork

__all__ = ["INT32_MAX", "INT32_MIN", "LayerPlan", "NetworkPlan", "accumulator_starts", "input_ranges",
           "plan_network", "uses_pairs"]

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
#: Pairs of 16-bit codes per 32-bit word need both formats at most this wide.
PAIR_WIDTH = 16
#: Outputs computed together, sharing each loaded input word: six 32-bit or two 64-bit accumulators
#: leave the M7's thirteen general registers enough for the input word, two weight words and the
#: pointers (more spill to the stack; measured under QEMU, docs/mcu.md).
GROUP_32, GROUP_64 = 6, 2


def uses_pairs(config: ModelConfig) -> bool:
    """Two 16-bit codes per word (SMLAD/SMLALD) when weights and data are both at most 16 bits wide."""
    return config.weight_format.width <= PAIR_WIDTH and config.data_format.width <= PAIR_WIDTH


def input_ranges(config: ModelConfig, index: int) -> list[tuple[int, int]]:
    """The smallest and largest code each input channel of layer ``index`` can carry."""
    fmt = config.data_format
    if index > 0:
        low = 0 if config.has_relu(index - 1) else fmt.min_int
        return [(low, fmt.max_int)] * config.in_channels(index)
    ranges = []
    for role in config.inputs:
        if role == "zero":
            ranges.append((0, 0))
        elif role == "direction":
            ranges.append((direction_code(config, False), direction_code(config, True)))
        else:  # jack roles pass any code through; slope, level, rate and phase saturate to the format
            ranges.append((fmt.min_int, fmt.max_int))
    return ranges


def accumulator_starts(config: ModelConfig, bias: np.ndarray) -> list[int]:
    """Each output's accumulator start: the bias at product scale plus the rounding constant ``R``
    (docs/arithmetic.md; the hardware folds ``R`` into the bias the same way)."""
    shift = config.data_format.frac_bits
    return [(int(b) << shift) + rounding_constant(config) for b in np.asarray(bias, dtype=np.int64)]


@dataclass(frozen=True)
class LayerPlan:
    index: int
    in_channels: int
    filters: int
    kernel_size: int
    dilation: int
    #: Words per cached input vector: channel pairs (padded with a zero channel) or one channel per word.
    words: int
    #: 32 or 64.
    accumulator_bits: int
    #: Outputs computed together.
    group: int
    relu: bool
    #: The exact extremes of every partial sum of every output (start value included).
    accumulator_min: int
    accumulator_max: int
    #: Whether the shifted accumulator (before saturation) always fits 32 bits.
    shifted_fits_32: bool

    @property
    def history(self) -> int:
        return (self.kernel_size - 1) * self.dilation

    @property
    def rows(self) -> int:
        """Vectors the ring buffer holds: the current one and ``history`` before it."""
        return self.history + 1


@dataclass(frozen=True)
class NetworkPlan:
    config: ModelConfig
    pairs: bool
    layers: tuple[LayerPlan, ...]

    def summary(self) -> list[dict]:
        return [{"layer": lp.index, "pairs": self.pairs, "accumulator_bits": lp.accumulator_bits,
                 "group": lp.group, "accumulator_range": [lp.accumulator_min, lp.accumulator_max]}
                for lp in self.layers]


def _layer_plan(network: QuantizedNetwork, index: int, pairs: bool) -> LayerPlan:
    cfg = network.config
    lc = cfg.layers[index]
    layer = network.layers[index]
    ranges = np.array(input_ranges(cfg, index), dtype=np.int64)  # (C, 2)
    if np.any(ranges[:, 0] > 0) or np.any(ranges[:, 1] < 0):
        raise AssertionError("every input range must contain 0 for the partial-sum bound to hold")
    w = layer.weights.astype(np.int64)  # (K, C, F)
    at_low, at_high = w * ranges[None, :, 0, None], w * ranges[None, :, 1, None]
    smallest = np.minimum(at_low, at_high).sum(axis=(0, 1))
    largest = np.maximum(at_low, at_high).sum(axis=(0, 1))
    starts = np.array(accumulator_starts(cfg, layer.bias), dtype=np.int64)
    low, high = int((starts + smallest).min()), int((starts + largest).max())
    if not -(1 << 63) <= low <= high < 1 << 63:
        raise ValueError(f"layer {index}: accumulators reach [{low}, {high}], beyond 64 bits; narrow the formats")
    bits = 32 if INT32_MIN <= low and high <= INT32_MAX else 64
    shift = cfg.requant_shift
    carry = 1 if cfg.rounding == "half_even" and shift > 0 else 0
    shifted_fits = INT32_MIN <= (low >> shift) and (high >> shift) + carry <= INT32_MAX
    channels = cfg.in_channels(index)
    return LayerPlan(index=index, in_channels=channels, filters=lc.filters, kernel_size=lc.kernel_size,
                     dilation=lc.dilation, words=(channels + 1) // 2 if pairs else channels,
                     accumulator_bits=bits, group=GROUP_32 if bits == 32 else GROUP_64,
                     relu=cfg.has_relu(index), accumulator_min=low, accumulator_max=high,
                     shifted_fits_32=shifted_fits)


def plan_network(network: QuantizedNetwork) -> NetworkPlan:
    """The plan of every layer (see the module docstring)."""
    pairs = uses_pairs(network.config)
    return NetworkPlan(network.config, pairs,
                       tuple(_layer_plan(network, i, pairs) for i in range(len(network.layers))))
