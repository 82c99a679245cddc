"""What the measured instruction counts mean on a Daisy: the share of a 480 MHz Cortex-M7's time per sample,
and the largest network of the default's shape that fits at 48 kHz.

QEMU counts instructions, not cycles. The M7 can issue two instructions per cycle (dual issue), which
makes cycles fewer than instructions, and it stalls on memory (flash wait states behind its caches, a
multiply-accumulate waiting for a load), which makes them more; no board measured either here. So the
shares below are instructions over the cycles available, and the firmware keeps to half of them.
"""

from __future__ import annotations

import math

import numpy as np

from common.config import LayerConfig, ModelConfig
from quantize.weights import QuantizedLayer, QuantizedNetwork

__all__ = ["M7_CLOCK_HZ", "RATES", "TARGET_SHARE", "budget", "fit_instructions", "largest_filters",
           "probe_network", "shape_config"]

#: The STM32H750's core clock on the Daisy.
M7_CLOCK_HZ = 480_000_000
#: The Daisy codec's rates this project runs at.
RATES = (48_000, 96_000)
#: The firmware keeps the network within this share of the cycles (room for the M7's memory stalls, the
#: audio callback and the controls).
TARGET_SHARE = 0.5
NOTE = ("instructions counted under QEMU (icount), not cycles: the Cortex-M7 issues up to two instructions "
        "per cycle and stalls on memory, so its cycles differ from these counts; no board measured them")


def budget(instructions_per_sample: float) -> dict:
    """Per audio rate: the cycles a 480 MHz M7 has per sample and the measured instructions' share."""
    rates = {}
    for rate in RATES:
        cycles = M7_CLOCK_HZ // rate
        rates[f"{rate}"] = {"cycles_per_sample": cycles,
                            "share": round(instructions_per_sample / cycles, 4),
                            "within_half": instructions_per_sample <= TARGET_SHARE * cycles}
    return {"clock_hz": M7_CLOCK_HZ, "instructions_per_sample": round(instructions_per_sample, 1),
            "rates": rates, "note": NOTE}


def shape_config(config: ModelConfig, filters: int) -> ModelConfig:
    """``config`` with every hidden layer ``filters`` wide (the last layer, the outputs, unchanged)."""
    layers = [LayerConfig(filters, lc.kernel_size, lc.dilation) for lc in config.layers[:-1]]
    return config.replace(layers=(*layers, config.layers[-1]), name=f"{config.name}-{filters}")


def probe_network(config: ModelConfig, seed: int = 7) -> QuantizedNetwork:
    """Random weights of a trained network's size: Gaussian codes of standard deviation 0.5 / sqrt(fan-in)
    (a trained layer's scale), biases of 0.1, rounded and clipped to the format."""
    rng = np.random.default_rng(seed)
    fmt = config.weight_format
    layers = []
    for i, lc in enumerate(config.layers):
        fan_in = lc.kernel_size * config.in_channels(i)
        w = rng.normal(0.0, 0.5 / math.sqrt(fan_in) * fmt.scale, (lc.kernel_size, config.in_channels(i), lc.filters))
        b = rng.normal(0.0, 0.1 * fmt.scale, lc.filters)
        layers.append(QuantizedLayer(*(np.clip(np.rint(v), fmt.min_int, fmt.max_int).astype(np.int64) for v in (w, b))))
    return QuantizedNetwork(config, tuple(layers))


def fit_instructions(filters: list[int], counts: list[float]) -> tuple[float, float, float]:
    """Instructions per sample as ``a + b f + c f**2`` of the hidden width ``f`` (the MACs grow with f**2,
    the outputs to requantize with f), fitted exactly through three measured widths."""
    a, b, c = np.linalg.solve(np.array([[1.0, f, f * f] for f in filters]), np.array(counts, dtype=np.float64))
    return float(a), float(b), float(c)


def largest_filters(fit: tuple[float, float, float], instructions: float) -> int:
    """The widest hidden width whose fitted count stays within ``instructions`` (0 if none)."""
    a, b, c = fit
    f = 0
    while a + b * (f + 1) + c * (f + 1) ** 2 <= instructions and f < 4096:
        f += 1
    return f
