"""Fixed-point types of the network hardware, defined once and imported everywhere (``rtl/``, ``boards/``).

Every width comes from the :class:`~common.config.ModelConfig` (docs/arithmetic.md): samples and
activations are ``data_format`` codes, weights and biases ``weight_format`` codes, a product is exact
(``weight.width + data.width`` bits) and layer *i* accumulates in ``config.accumulator_bits(i)`` bits, which
no sum can overflow. A vector of samples is an :class:`amaranth.lib.data.ArrayLayout` with channel 0 in the
least significant bits, so the packed Verilog ports put channel 0 at bit 0.
"""

from __future__ import annotations

from amaranth.hdl import Shape, signed
from amaranth.lib import data

from common.config import ModelConfig

__all__ = [
    "SampleVector",
    "accumulator_shape",
    "product_shape",
    "requantized_shape",
    "sample_shape",
    "weight_shape",
]


def sample_shape(config: ModelConfig) -> Shape:
    """One network input, activation or output: a signed ``data_format`` code (s16 for FP4.12)."""
    return signed(config.data_format.width)


def weight_shape(config: ModelConfig) -> Shape:
    """One weight or (unaligned) bias: a signed ``weight_format`` code."""
    return signed(config.weight_format.width)


def product_shape(config: ModelConfig) -> Shape:
    """An exact weight x sample product (s32 for FP4.12 x FP4.12)."""
    return signed(config.weight_format.width + config.data_format.width)


def accumulator_shape(config: ModelConfig, index: int) -> Shape:
    """Layer ``index``'s accumulator: wide enough that no partial sum can overflow."""
    return signed(config.accumulator_bits(index))


def requantized_shape(config: ModelConfig, index: int) -> Shape:
    """The accumulator after the arithmetic shift plus a possible round-up increment, before saturation."""
    return signed(config.accumulator_bits(index) - config.requant_shift + 1)


def SampleVector(config: ModelConfig, n: int) -> data.ArrayLayout:  # noqa: N802 (reads as a type)
    """``n`` samples side by side, channel 0 in the least significant bits."""
    return data.ArrayLayout(sample_shape(config), n)
