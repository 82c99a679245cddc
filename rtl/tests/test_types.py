"""The fixed-point shapes follow the config, and a SampleVector packs channel 0 into the LSBs."""

from __future__ import annotations

from amaranth.hdl import Const

from common.config import FixedFormat, LayerConfig, ModelConfig
from rtl.types import SampleVector, accumulator_shape, product_shape, sample_shape, weight_shape


def test_shapes_follow_the_config():
    cfg = ModelConfig(layers=[LayerConfig(3, 2, 1), LayerConfig(1, 3, 2)], data_format=FixedFormat(12, 8),
                      weight_format=FixedFormat(10, 7))
    assert (sample_shape(cfg).width, sample_shape(cfg).signed) == (12, True)
    assert (weight_shape(cfg).width, weight_shape(cfg).signed) == (10, True)
    assert product_shape(cfg).width == 22
    for i in range(2):
        assert accumulator_shape(cfg, i).width == cfg.accumulator_bits(i)
        assert accumulator_shape(cfg, i).signed


def test_sample_vector_packs_channel_zero_lowest():
    cfg = ModelConfig(layers=[LayerConfig(1)])
    layout = SampleVector(cfg, 3)
    assert layout.size == 3 * 16
    packed = Const.cast(layout.const([1, -2, 3])).value
    assert packed & 0xFFFF == 1
    assert (packed >> 16) & 0xFFFF == (-2) & 0xFFFF
    assert packed >> 32 == 3
