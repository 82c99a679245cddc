"""An independent evaluation of the network in fxpmath fixed-point arithmetic.

This is the cross-check of :mod:`quantize.golden`: it shares no code with it and follows
``docs/arithmetic.md`` step by step with fxpmath objects, the way a hardware designer would write it on
paper:

* weights and activations are ``Fxp`` values in their formats (FP4.12 by default);
* every product ``w * x`` is an fxpmath product (exact: widths and fraction bits add, s32/24);
* the products are summed with fxpmath's sum, which widens so nothing is lost;
* the bias (an FP4.12 ``Fxp``) and the rounding constant ``R`` (an ``Fxp`` of half an output LSB, so
  fxpmath aligns both to the product scale itself) are added;
* the sum is narrowed to ``data_format`` by constructing an ``Fxp`` with ``rounding='floor'`` (the
  arithmetic shift) or ``'around'`` (half_even) and ``overflow='saturate'``;
* ReLU is ``max(y, 0)`` on the narrowed codes.

fxpmath is slower than the golden model (about a second per thousand samples of the default network).
"""

from __future__ import annotations

import numpy as np
from fxpmath import Fxp

from common.config import FixedFormat, ModelConfig

from .weights import QuantizedNetwork

__all__ = ["FXPMATH_ROUNDING", "fxp_codes", "from_codes", "run_fxpmath"]

#: fxpmath rounding mode used when narrowing the accumulator, per config rounding mode. half_up is
#: floor after adding R (so it needs no rounding logic in hardware); half_even is numpy's around.
FXPMATH_ROUNDING = {"half_up": "floor", "floor": "floor", "half_even": "around"}

#: fxpmath narrows through float64 values; accumulators wider than this would not be exact.
_FXP_EXACT_BITS = 53


def from_codes(codes: np.ndarray, fmt: FixedFormat) -> Fxp:
    """An ``Fxp`` holding integer codes of ``fmt`` exactly (raw load, no rounding)."""
    value = Fxp(None, signed=True, n_word=fmt.width, n_frac=fmt.frac_bits, rounding="floor", overflow="saturate")
    value.set_val(np.asarray(codes, dtype=np.int64), raw=True)
    return value


def fxp_codes(value: Fxp) -> np.ndarray:
    """The raw integer codes of an ``Fxp`` as int64."""
    return np.asarray(value.val).astype(np.int64)


def _rounding_constant(config: ModelConfig) -> Fxp:
    """``R`` as a real value: half an output LSB for half_up, 0 otherwise."""
    frac = config.data_format.frac_bits
    real = 2.0 ** -(frac + 1) if config.rounding == "half_up" else 0.0
    return Fxp(real, signed=True, n_word=frac + 3, n_frac=frac + 1, rounding="floor", overflow="saturate")


#: Samples evaluated per fxpmath sum. fxpmath widens a sum by the bits of the whole array's size, not
#: only of the summed axes, so a long signal in one piece would exceed :data:`_FXP_EXACT_BITS`; blocks
#: that carry the history keep the result the same and the accumulator narrow.
FXP_BLOCK = 32


def _layer(config: ModelConfig, index: int, weights: Fxp, bias: Fxp, inputs: Fxp) -> Fxp:
    """One causal dilated convolution layer over a whole signal, in fxpmath, :data:`FXP_BLOCK` samples at a time."""
    lc = config.layers[index]
    n = inputs.shape[0]
    codes = fxp_codes(inputs)
    padded = np.concatenate([np.zeros((lc.history, codes.shape[1]), np.int64), codes])
    # taps[t, k, c] = x[t - (K-1-k)*d, c]: gathered codes (a copy, not arithmetic), then back into Fxp.
    taps = np.stack([padded[lc.history - (lc.kernel_size - 1 - k) * lc.dilation:][:n]
                     for k in range(lc.kernel_size)], axis=1)
    w = weights.reshape((1, *weights.shape))                       # (1, K, C, F)
    fmt = config.data_format
    blocks = []
    for start in range(0, n, FXP_BLOCK):
        x = from_codes(taps[start:start + FXP_BLOCK, :, :, None], config.data_format)  # (T, K, C, 1)
        products = x * w                                           # exact products
        acc = products.sum(axis=(1, 2)) + bias + _rounding_constant(config)
        if acc.n_word > _FXP_EXACT_BITS:
            raise ValueError(f"layer {index}: fxpmath accumulator of {acc.n_word} bits cannot be narrowed exactly")
        out = Fxp(acc, signed=True, n_word=fmt.width, n_frac=fmt.frac_bits,
                  rounding=FXPMATH_ROUNDING[config.rounding], overflow="saturate")
        blocks.append(fxp_codes(out).reshape(-1, lc.filters))
    codes_out = np.concatenate(blocks) if blocks else np.zeros((0, lc.filters), np.int64)
    if index < len(config.layers) - 1 and config.activation == "relu":
        codes_out = np.maximum(codes_out, 0)
    return from_codes(codes_out, fmt)


def run_fxpmath(network: QuantizedNetwork, x: np.ndarray) -> list[np.ndarray]:
    """Every layer's output codes (T, filters) for input codes ``x`` (T, n_inputs), in fxpmath."""
    cfg = network.config
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != cfg.n_inputs:
        raise ValueError(f"input must have shape (samples, {cfg.n_inputs}), got {x.shape}")
    current = from_codes(x, cfg.data_format)
    activations = []
    for i, layer in enumerate(network.layers):
        weights = from_codes(layer.weights, cfg.weight_format)
        bias = from_codes(layer.bias, cfg.weight_format)
        current = _layer(cfg, i, weights, bias, current)
        activations.append(fxp_codes(current))
    return activations
