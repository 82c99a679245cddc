"""Bench entry ``golden``: the golden model's batch form, as a multiple of real time at 192 kHz.

Measured on one core (BLAS limited to one thread, the machine is shared) as the median of repeated
runs, on the exported weights in ``build/weights`` if present, otherwise on random weights for the
default config (same shapes, so the same work).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.config import load_config
from quantize.speed import realtime_factor
from quantize.weights import QuantizedNetwork, random_network

from .registry import bench

WEIGHTS_DIR = Path("build/weights")
DEFAULT_CONFIG = Path("configs/default.toml")


@bench("golden", "golden model batch form: real-time factor at 192 kHz on one core (median)")
def golden(seconds: float = 2.0, repeats: int = 9) -> dict:
    if (WEIGHTS_DIR / "weights.npz").exists():
        network, source = QuantizedNetwork.load(WEIGHTS_DIR), str(WEIGHTS_DIR)
    else:
        network = random_network(load_config(DEFAULT_CONFIG), np.random.default_rng(0))
        source = f"random weights for {DEFAULT_CONFIG}"
    result = realtime_factor(network, seconds=seconds, repeats=repeats, sample_rate_hz=network.config.sample_rate_hz)
    return {**result, "weights": source, "macs_per_sample": network.config.macs_per_sample}
