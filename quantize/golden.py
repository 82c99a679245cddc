"""The integer golden model: the executable form of ``docs/arithmetic.md``.

Everything that claims bit-exactness (fxpmath evaluation, the Amaranth simulation, the cocotb runs of
the generated Verilog, the board top level) is compared, as integers, against this module. It imports
no TensorFlow.

Two forms that must agree exactly:

* :func:`run_batch` evaluates a whole signal layer by layer. It uses float64 matrix products (BLAS) on
  integer-valued arrays, which are exact while every partial sum stays below 2**53; the accumulator width
  derived from the config bounds every partial sum, and :func:`run_batch` refuses configs where that
  bound exceeds 53 bits (falling back to int64).
* :class:`StreamingGolden` mirrors the hardware: an input shift buffer, one ring-buffer activation cache
  per layer read at taps 0, -d, -2d, ..., and one output vector per input vector, in int64 only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from common.config import ModelConfig

from .weights import QuantizedNetwork

__all__ = [
    "FLOAT64_EXACT_BITS",
    "GoldenResult",
    "RingCache",
    "StreamingGolden",
    "conv_step",
    "requantize",
    "rounding_constant",
    "run_batch",
    "run_streaming",
]

#: A float64 holds every integer of magnitude below 2**53 exactly.
FLOAT64_EXACT_BITS = 53


def rounding_constant(config: ModelConfig) -> int:
    """``R`` of docs/arithmetic.md: added to the accumulator before the shift (0 for floor and
    half_even, half an output LSB for half_up). Hardware folds it into the bias."""
    if config.rounding == "half_up":
        return 1 << (config.requant_shift - 1)
    return 0


def aligned_bias(config: ModelConfig, bias: np.ndarray) -> np.ndarray:
    """The accumulator's starting value per output channel: bias at product scale plus ``R``."""
    return (np.asarray(bias, dtype=np.int64) << config.requant_shift) + rounding_constant(config)


def requantize(acc: np.ndarray, config: ModelConfig, *, relu: bool) -> np.ndarray:
    """Accumulator (with ``R`` already added) -> ``data_format`` codes: shift with the configured
    rounding, saturate, then ReLU if asked. Integer in, int64 out."""
    acc = np.asarray(acc, dtype=np.int64)
    shift = config.requant_shift
    q = acc >> shift  # arithmetic shift: floor
    if config.rounding == "half_even":
        rem = acc & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        q = q + ((rem > half) | ((rem == half) & ((q & 1) == 1)))
    fmt = config.data_format
    q = np.clip(q, fmt.min_int, fmt.max_int)
    if relu:
        q = np.maximum(q, 0)
    return q


def _requantize_float(acc: np.ndarray, config: ModelConfig, *, relu: bool) -> np.ndarray:
    """:func:`requantize` on exact integer-valued float64 (division by a power of two is exact)."""
    scaled = acc / float(1 << config.requant_shift)
    q = np.rint(scaled) if config.rounding == "half_even" else np.floor(scaled)  # rint: ties to even
    fmt = config.data_format
    q = np.clip(q, fmt.min_int, fmt.max_int)
    if relu:
        q = np.maximum(q, 0.0)
    return q


def _is_relu(config: ModelConfig, index: int) -> bool:
    return index < len(config.layers) - 1 and config.activation == "relu"


def _check_input(network: QuantizedNetwork, x: np.ndarray) -> np.ndarray:
    cfg = network.config
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != cfg.n_inputs:
        raise ValueError(f"input must have shape (samples, {cfg.n_inputs}) for inputs {list(cfg.inputs)}, "
                         f"got {x.shape}")
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"input must be integer {cfg.data_format} codes, got dtype {x.dtype}")
    fmt = cfg.data_format
    if x.size and (x.min() < fmt.min_int or x.max() > fmt.max_int):
        raise ValueError(f"input codes must lie in [{fmt.min_int}, {fmt.max_int}] ({fmt})")
    return x.astype(np.int64)


@dataclass
class GoldenResult:
    #: Network output codes, shape (samples, n_outputs).
    output: np.ndarray
    #: Every layer's output codes (after requantization and ReLU), shape (samples, filters).
    activations: list[np.ndarray]


def run_batch(network: QuantizedNetwork, x: np.ndarray, *, chunk: int = 8192) -> GoldenResult:
    """Evaluate a whole signal. ``x``: int array (samples, n_inputs) of data-format codes."""
    cfg = network.config
    x = _check_input(network, x)
    exact_in_float = cfg.max_accumulator_bits <= FLOAT64_EXACT_BITS
    current = x.astype(np.float64) if exact_in_float else x
    activations = []
    for i, (layer, lc) in enumerate(zip(network.layers, cfg.layers, strict=True)):
        relu = _is_relu(cfg, i)
        history = lc.history
        n = current.shape[0]
        padded = np.concatenate([np.zeros((history, current.shape[1]), current.dtype), current])
        w = layer.weights.astype(current.dtype)
        start = aligned_bias(cfg, layer.bias).astype(current.dtype)
        out = np.empty((n, lc.filters), dtype=current.dtype)
        # Chunked so the working set stays in cache; each tap is a contiguous row slice (no copies).
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            acc = np.broadcast_to(start, (hi - lo, lc.filters)).copy()
            for k in range(lc.kernel_size):
                offset = (lc.kernel_size - 1 - k) * lc.dilation  # how far back tap k looks
                acc += padded[history + lo - offset:history + hi - offset] @ w[k]
            if exact_in_float:
                out[lo:hi] = _requantize_float(acc, cfg, relu=relu)
            else:
                out[lo:hi] = requantize(acc, cfg, relu=relu)
        activations.append(out.astype(np.int64))
        current = out
    return GoldenResult(activations[-1], activations)


class RingCache:
    """A layer's input history as the hardware keeps it: a ring buffer of ``depth`` vectors, written
    once per sample at a wrapping pointer and read at taps 0, -d, -2d, ... behind the newest entry."""

    def __init__(self, channels: int, depth: int):
        self.depth = depth
        self.memory = np.zeros((depth, channels), dtype=np.int64)
        self.write_ptr = 0  # where the next vector goes

    def push(self, vector: np.ndarray) -> None:
        self.memory[self.write_ptr] = vector
        self.write_ptr = (self.write_ptr + 1) % self.depth

    def tap(self, back: int) -> np.ndarray:
        """The vector written ``back`` samples before the newest one."""
        if not 0 <= back < self.depth:
            raise IndexError(f"tap {back} samples back is outside a cache of depth {self.depth}")
        return self.memory[(self.write_ptr - 1 - back) % self.depth]


def conv_step(config: ModelConfig, index: int, weights: np.ndarray, bias: np.ndarray,
              cache: RingCache) -> np.ndarray:
    """One output vector of layer ``index`` from the taps of its input cache (newest already pushed)."""
    lc = config.layers[index]
    acc = aligned_bias(config, bias).copy()
    for k in range(lc.kernel_size):
        tap = cache.tap((lc.kernel_size - 1 - k) * lc.dilation)
        acc += tap @ weights[k]
    return requantize(acc, config, relu=_is_relu(config, index))


class StreamingGolden:
    """The cached (fast-WaveNet) evaluation, one sample at a time, as the hardware does it.

    Layer 0's cache is the input shift buffer; layer i's cache holds layer i-1's outputs. A cache needs
    ``history + 1`` entries; ``depths`` may give larger ones (the RTL rounds depths up to a power of two),
    which must not change any result."""

    def __init__(self, network: QuantizedNetwork, depths: list[int] | None = None):
        self.network = network
        cfg = network.config
        if depths is None:
            depths = [lc.history + 1 for lc in cfg.layers]
        self.caches = [RingCache(cfg.in_channels(i), depth) for i, depth in enumerate(depths)]

    def step(self, x: np.ndarray) -> list[np.ndarray]:
        """Push one input vector; return every layer's output vector for this sample."""
        cfg = self.network.config
        vector = np.asarray(x, dtype=np.int64)
        outputs = []
        for i, layer in enumerate(self.network.layers):
            self.caches[i].push(vector)
            vector = conv_step(cfg, i, layer.weights, layer.bias, self.caches[i])
            outputs.append(vector)
        return outputs


def run_streaming(network: QuantizedNetwork, x: np.ndarray, depths: list[int] | None = None) -> GoldenResult:
    """:class:`StreamingGolden` over a whole signal; same result type as :func:`run_batch`."""
    x = _check_input(network, x)
    model = StreamingGolden(network, depths)
    per_layer: list[list[np.ndarray]] = [[] for _ in network.layers]
    for vector in x:
        for store, out in zip(per_layer, model.step(vector), strict=True):
            store.append(out)
    activations = [np.array(store, dtype=np.int64).reshape(len(x), -1) for store in per_layer]
    return GoldenResult(activations[-1], activations)


def first_divergence(expected: GoldenResult, actual_activations: list[np.ndarray]) -> str | None:
    """Describe where two runs first differ: the earliest sample, and at that sample the first layer
    and channel, so a mismatch can be debugged without a waveform viewer. ``None`` if equal."""
    first = None
    for i, (exp, act) in enumerate(zip(expected.activations, actual_activations, strict=False)):
        act = np.asarray(act, dtype=np.int64)
        n = min(len(exp), len(act))
        diff = np.argwhere(exp[:n] != act[:n])
        if len(diff):
            t, c = (int(v) for v in diff[0])
            if first is None or t < first[0] or (t == first[0] and i < first[1]):
                first = (t, i, c, int(exp[t, c]), int(act[t, c]))
    if first is None:
        return None
    t, i, c, e, a = first
    return f"first divergence at sample {t}, layer {i}, channel {c}: golden {e}, got {a}"
