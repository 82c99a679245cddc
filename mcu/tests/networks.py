"""Random configs and networks for the MCU checks: every input role, the three rounding modes, weight and
data formats from 12 to 18 bits, receptive-field gaps, and weights that make the generator choose each of its
arithmetic forms (16-bit pairs or one code per word, 32- or 64-bit accumulators)."""

from __future__ import annotations

import warnings

import numpy as np

from common.config import (
    ROUNDING_MODES,
    ConfigError,
    FixedFormat,
    FrontEndConfig,
    LayerConfig,
    ModelConfig,
    ReceptiveFieldGapWarning,
)
from common.roles import CORE, INPUT_ROLES
from quantize.weights import QuantizedNetwork, random_network

__all__ = ["ROLES", "random_config", "random_networks"]

ROLES = tuple(INPUT_ROLES)
WIDTHS = range(12, 19)


def _format(rng: np.random.Generator, width: int, least_frac: int) -> FixedFormat:
    return FixedFormat(width, int(rng.integers(least_frac, width)))


def random_config(rng: np.random.Generator, index: int, *, roles: tuple[str, ...] | None = None,
                  width: int | None = None, gaps: bool = False) -> ModelConfig:
    """A small valid network. ``roles`` (core added if missing) or a random subset in random order;
    ``width`` for both formats or random ones; ``gaps``: a dilation beyond what the layers before cover.
    The rounding mode cycles with ``index``."""
    for _ in range(100):
        if roles is None:
            others = [r for r in ROLES if r != CORE]
            picked = rng.choice(others, size=int(rng.integers(0, len(others) + 1)), replace=False)
            chosen = [CORE, *(str(r) for r in picked)]
            rng.shuffle(chosen)
        else:
            chosen = list(roles) if CORE in roles else [CORE, *roles]
        layers, covered = [], 1
        for n in range(int(rng.integers(1, 4))):
            k = int(rng.integers(1, 5))
            choices = [d for d in (1, 2, 3, 4, 8) if d <= covered] if not (gaps and n > 0) else [covered + 1]
            d = 1 if k == 1 else int(rng.choice(choices))
            layers.append(LayerConfig(int(rng.integers(1, 10)), k, d))
            covered += (k - 1) * d
        w_width = width or int(rng.choice(WIDTHS))
        d_width = width or int(rng.choice(WIDTHS))
        front_end = FrontEndConfig(direction_lag=int(rng.integers(1, 7)), direction_threshold=int(rng.integers(1, 5)),
                                   slope_shift=int(rng.integers(0, 16)), span_floor=int(rng.integers(16, 1 << 14)),
                                   rate_shift=int(rng.integers(0, 9)))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ReceptiveFieldGapWarning)
                config = ModelConfig(layers=tuple(layers), name=f"random{index}", inputs=tuple(chosen),
                                     rounding=ROUNDING_MODES[index % len(ROUNDING_MODES)],
                                     weight_format=_format(rng, w_width, 0), data_format=_format(rng, d_width, 1),
                                     front_end=front_end, lookahead=int(rng.integers(0, 2)) if covered > 1 else 0)
        except ConfigError:
            continue
        if not gaps or any(issubclass(w.category, ReceptiveFieldGapWarning) for w in caught):
            return config
    raise AssertionError("no valid random config in 100 tries")


def random_networks(count: int, seed: int) -> list[QuantizedNetwork]:
    """``count`` networks: the first few forced to cover every role at once, 12- and 18-bit formats, a gap,
    and both accumulator widths; the rest random. Weights: a small scale without extremes (32-bit
    accumulators) or larger ones with 5 % at the format's limits (64-bit accumulators, saturation)."""
    rng = np.random.default_rng(seed)
    forced = [dict(roles=ROLES), dict(width=12), dict(width=18), dict(gaps=True, width=18), dict(width=16),
              dict(roles=tuple(reversed(ROLES)), width=16)]
    networks = []
    for index in range(count):
        config = random_config(rng, index, **(forced[index] if index < len(forced) else {}))
        if index % 2 == 0:
            networks.append(random_network(config, rng, scale=0.02, extremes=0.0))
        elif index < len(forced):  # many codes at the limits: 64-bit accumulators
            networks.append(random_network(config, rng, scale=3.0, extremes=0.3))
        else:
            networks.append(random_network(config, rng, scale=float(rng.choice([0.35, 1.0, 3.0])), extremes=0.05))
    return networks
