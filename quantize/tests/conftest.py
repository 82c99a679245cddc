"""Shared helpers for the quantize tests: small configs covering the arithmetic's corners."""

from __future__ import annotations

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig, load_config


def default_config() -> ModelConfig:
    return load_config("configs/default.toml")


def varied_configs() -> dict[str, ModelConfig]:
    """Several shapes: other kernel sizes, dilations, widths, formats and all rounding modes."""
    base = default_config()
    return {
        "default_half_up": base,
        "default_floor": base.replace(rounding="floor"),
        "default_half_even": base.replace(rounding="half_even"),
        "k2_dil_1_2_4": ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(5, 2, 2), LayerConfig(2, 2, 4)),
                                    inputs=("core", "e0")),
        "k3_dil_1_3_two_outputs": ModelConfig(layers=(LayerConfig(6, 3, 1), LayerConfig(4, 3, 3),
                                                      LayerConfig(2, 3, 1)), rounding="half_even"),
        "k1_and_k5": ModelConfig(layers=(LayerConfig(7, 1, 1), LayerConfig(3, 5, 1), LayerConfig(1, 1, 1)),
                                 rounding="floor"),
        "narrow_formats": ModelConfig(layers=(LayerConfig(4, 4, 1), LayerConfig(1, 3, 4)),
                                      weight_format=FixedFormat(10, 7), data_format=FixedFormat(12, 8)),
        "single_layer": ModelConfig(layers=(LayerConfig(2, 4, 1),)),
        # dilations that leave gaps in the receptive field (accepted with a warning)
        "gaps_k5_then_d6": ModelConfig(layers=(LayerConfig(4, 5, 1), LayerConfig(3, 4, 6), LayerConfig(1, 2, 2)),
                                       inputs=("core", "e0")),
        "gaps_single_k7_d3": ModelConfig(layers=(LayerConfig(2, 7, 3),), inputs=("core", "e0", "e1"),
                                         rounding="half_even"),
    }


def stress_input(config: ModelConfig, rng: np.random.Generator, samples: int) -> np.ndarray:
    """Input codes mixing audio-like values, full-scale extremes and runs held at an extreme, so that
    products reach full scale and every layer saturates somewhere."""
    fmt = config.data_format
    x = rng.normal(0, 0.4 * fmt.scale, size=(samples, config.n_inputs))
    extremes = rng.random(x.shape) < 0.1
    x[extremes] = rng.choice([fmt.min_int, fmt.max_int], size=int(extremes.sum()))
    for _ in range(4):  # held runs: saturating stretches
        start = int(rng.integers(0, max(1, samples - 64)))
        x[start:start + 64] = rng.choice([fmt.min_int, fmt.max_int])
    return np.clip(np.rint(x), fmt.min_int, fmt.max_int).astype(np.int64)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261123)
