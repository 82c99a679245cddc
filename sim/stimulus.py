"""Input signals for the simulations, as ``data_format`` integer codes of the jack roles (what the codec side
delivers to the front end: ``common.roles.jack_roles``)."""

from __future__ import annotations

import numpy as np

from common.config import ModelConfig
from common.roles import jack_roles

__all__ = ["embedding_sweep_codes", "random_codes", "to_codes"]


def to_codes(config: ModelConfig, values: np.ndarray) -> np.ndarray:
    """Real values -> ``data_format`` codes: round(x * 2**frac), saturated (int64)."""
    return config.data_format.to_codes(values)


def embedding_sweep_codes(config: ModelConfig, samples: int, frequency_hz: float = 110.0) -> np.ndarray:
    """The training stage's sweep through the embedding square (``train.dataset.embedding_sweep_jacks``) at
    the configured sample rate, ``samples`` long, as jack codes, the core at ``frequency_hz`` (a short run
    needs a fast core to see the core turn several times)."""
    from train.dataset import embedding_sweep_jacks

    seconds = samples / config.sample_rate_hz
    x = embedding_sweep_jacks(config, seconds, frequency_hz)[:samples]
    if len(x) < samples:
        raise ValueError(f"embedding_sweep_jacks gave {len(x)} samples, {samples} requested")
    return np.asarray(x, dtype=np.int64)


def random_codes(config: ModelConfig, samples: int, rng: np.random.Generator, *, extremes: float = 0.05) -> np.ndarray:
    """Uniform random full-scale jack codes with a fraction ``extremes`` at the format's limits (saturation)."""
    fmt = config.data_format
    x = rng.integers(fmt.min_int, fmt.max_int + 1, size=(samples, len(jack_roles(config.inputs))))
    mask = rng.random(x.shape) < extremes
    x[mask] = rng.choice([fmt.min_int, fmt.max_int], size=int(mask.sum()))
    return x.astype(np.int64)
