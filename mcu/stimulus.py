"""The jack signals the C is checked with, as ``data_format`` codes of the jack roles
(``common.roles.jack_roles``).

``check_signal(config, samples)``: what the module plays in use, then what it should survive:

* the first 40 %: the training stage's embedding sweep (``train.dataset.embedding_sweep_jacks``: a
  band-limited 110 Hz core triangle while (e0, e1) walk the whole embedding square);
* the next 50 %: the same walk with a core gliding between random pitches over the piano range
  (``train.waves.frequency_sweep``: the glides of a 1 V/oct CV, held notes to fast chirps), so the front
  end's swing and reciprocal see every pitch;
* the last 10 %: uniform random full-scale codes on every jack with 5 % at the format's limits, which
  drive every layer into saturation and make the direction flip at random.
"""

from __future__ import annotations

import numpy as np

from common.config import ModelConfig
from common.roles import jack_roles
from train.dataset import embedding_sweep_jacks, jack_codes
from train.embedding import sweep_path
from train.waves import frequency_sweep, phase_from_frequency, synthesize

__all__ = ["check_signal", "random_codes"]

#: The piano range the training sweeps cover (configs/default.toml, [train] fmin_hz / fmax_hz).
PIANO_HZ = (27.5, 4186.0)


def random_codes(config: ModelConfig, samples: int, rng: np.random.Generator, *, extremes: float = 0.05) -> np.ndarray:
    """Uniform random full-scale jack codes, a fraction ``extremes`` of them at the format's limits."""
    fmt = config.data_format
    codes = rng.integers(fmt.min_int, fmt.max_int + 1, size=(samples, len(jack_roles(config.inputs))))
    mask = rng.random(codes.shape) < extremes
    codes[mask] = rng.choice([fmt.min_int, fmt.max_int], size=int(mask.sum()))
    return codes.astype(np.int64)


def _glide(config: ModelConfig, samples: int, rng: np.random.Generator) -> np.ndarray:
    rate = config.sample_rate_hz
    freq = frequency_sweep(rng, samples, rate, *PIANO_HZ)
    core = synthesize(phase_from_frequency(freq, rate), freq, rate, ("core",))["core"]
    path = sweep_path(samples)
    return jack_codes(config, core, path[:, 0], path[:, 1])


def check_signal(config: ModelConfig, samples: int, seed: int = 18) -> np.ndarray:
    """``samples`` jack vectors (see the module docstring), int64."""
    if samples < 10:
        raise ValueError(f"the check signal needs at least 10 samples, got {samples}")
    rng = np.random.default_rng(seed)
    sweep = int(samples * 0.4)
    noise = samples // 10
    glide = samples - sweep - noise
    parts = [embedding_sweep_jacks(config, sweep / config.sample_rate_hz)[:sweep], _glide(config, glide, rng),
             random_codes(config, noise, rng)]
    signal = np.concatenate(parts).astype(np.int64)
    if len(signal) != samples:
        raise AssertionError(f"check signal has {len(signal)} samples, {samples} asked for")
    return signal
