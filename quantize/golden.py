"""The integer golden model: the executable form of ``docs/arithmetic.md``.

Everything that claims bit-exactness (fxpmath evaluation, the Amaranth simulation, the cocotb runs of
the generated Verilog, the board top level) is compared, as integers, against this module. It imports
no TensorFlow.

Two forms that must agree exactly:

* :func:`run_batch` evaluates a whole signal layer by layer. It uses float64 matrix products (BLAS) on
  integer-valued arrays, which are exact while every partial sum stays below 2**53; the accumulator width
  derived from the config bounds every partial sum, and :func:`run_batch` refuses configs where that
  bound exceeds 53 bits (falling back to int64, and refusing accumulators wider than 64 bits).
* :class:`StreamingGolden` mirrors the hardware: an input shift buffer, one ring-buffer activation cache
  per layer read at taps 0, -d, -2d, ..., and one output vector per input vector, in int64 only.

Both take the *network* inputs. The whole signal path from the jacks is the front end
(``common/front_end.py``, docs/arithmetic.md "Front end") followed by the network: :func:`run_waveshaper`
and :class:`StreamingWaveshaper` are that path, batch and per sample, and the RTL's top level is checked
against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import dgemm

from common.config import ModelConfig, rounding_constant
from common.front_end import FrontEndState, network_inputs, reset_state

from .weights import QuantizedNetwork

__all__ = [
    "FLOAT64_EXACT_BITS",
    "INT64_EXACT_BITS",
    "GoldenResult",
    "RingCache",
    "StreamingGolden",
    "StreamingWaveshaper",
    "aligned_bias",
    "check_accumulator_width",
    "conv_step",
    "first_divergence",
    "layer_accumulators",
    "requantize",
    "run_batch",
    "run_streaming",
    "run_waveshaper",
]

#: A float64 holds every integer of magnitude below 2**53 exactly.
FLOAT64_EXACT_BITS = 53


def aligned_bias(config: ModelConfig, bias: np.ndarray) -> np.ndarray:
    """The accumulator's starting value per output channel: bias at product scale plus ``R``.

    The bias has ``weight_format.frac_bits`` fraction bits and a product ``wf + df``, so the bias is
    shifted left by ``data_format.frac_bits`` (equal to ``requant_shift`` only when wf == df, as in
    FP4.12 x FP4.12)."""
    return (np.asarray(bias, dtype=np.int64) << config.data_format.frac_bits) + rounding_constant(config)


def requantize(acc: np.ndarray, config: ModelConfig, *, relu: bool) -> np.ndarray:
    """Accumulator (with ``R`` already added) -> ``data_format`` codes: shift with the configured
    rounding, saturate, then ReLU if asked. Integer in, int64 out."""
    acc = np.asarray(acc, dtype=np.int64)
    shift = config.requant_shift
    q = acc >> shift  # arithmetic shift: floor
    if config.rounding == "half_even" and shift > 0:
        rem = acc & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        q = q + ((rem > half) | ((rem == half) & ((q & 1) == 1)))
    fmt = config.data_format
    q = np.clip(q, fmt.min_int, fmt.max_int)
    if relu:
        q = np.maximum(q, 0)
    return q


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
    #: The network's input codes (samples, n_inputs): what the front end made of the jack signals
    #: (:func:`run_waveshaper`); None when the network inputs were given directly.
    inputs: np.ndarray | None = None


#: int64 holds every accumulator of at most this many bits (the fallback path's limit).
INT64_EXACT_BITS = 64


def check_accumulator_width(config: ModelConfig) -> None:
    """Refuse configs whose accumulators do not fit int64: numpy would wrap silently, and the
    arithmetic forbids wrap-around (docs/arithmetic.md)."""
    bits = config.max_accumulator_bits
    if bits > INT64_EXACT_BITS:
        raise ValueError(f"accumulators of {bits} bits do not fit the golden model's int64 arithmetic "
                         f"(at most {INT64_EXACT_BITS}); narrow weight_format/data_format or the layers")


def _accumulate_product(acc: np.ndarray, taps: np.ndarray, kernel: np.ndarray) -> None:
    """``acc += taps @ kernel`` in one BLAS call (dgemm with beta = 1), float64, in place.

    All arrays are C-contiguous, so their transposes are the Fortran-ordered operands dgemm wants:
    ``acc.T = kernel.T @ taps.T + acc.T``. Saves a temporary and a pass over ``acc`` per tap."""
    result = dgemm(1.0, kernel.T, taps.T, beta=1.0, c=acc.T, overwrite_c=1)
    if not np.may_share_memory(result, acc):  # f2py had to copy: write the sum back
        acc[:] = result.T


def run_batch(network: QuantizedNetwork, x: np.ndarray, *, chunk: int = 2048) -> GoldenResult:
    """Evaluate a whole signal. ``x``: int array (samples, n_inputs) of data-format codes.

    The signal is processed in ``chunk``-sample blocks, all layers per block, like the hardware's caches
    but a block at a time: each layer keeps a small window of its input (its ``history`` previous rows,
    zero at the start: the causal padding, then the block), and writes its output straight into the
    next layer's window. Everything stays in cache and only the int64 results are full length (large
    temporary arrays would cost more in page faults than the arithmetic). Per block and tap, one matrix
    product of a contiguous row slice (no copies) with that tap's (C, F) weights, accumulated in place
    by BLAS; the requantization is done in place.

    Exactness: with float64 the kernel and the aligned bias are pre-scaled by 2**-shift (exact: a power
    of two), so every partial sum is an integer times 2**-shift, held exactly while the integer stays
    below 2**53; the accumulator width bounds every partial sum and is checked against 53 bits, and
    ``floor``/``rint`` then perform the shift. Wider configs take the same path in int64 with the
    integer :func:`requantize` (exact up to 64 bits, refused beyond).
    """
    cfg = network.config
    x = _check_input(network, x)
    check_accumulator_width(cfg)
    exact_in_float = cfg.max_accumulator_bits <= FLOAT64_EXACT_BITS
    dtype = np.float64 if exact_in_float else np.int64
    fmt = cfg.data_format
    n, n_layers = len(x), len(cfg.layers)
    block = max(1, min(chunk, n))
    # windows[i]: layer i's input, lc.history past rows then the current block; the last is the output
    windows = [np.zeros((lc.history + block, cfg.in_channels(i)), dtype) for i, lc in enumerate(cfg.layers)]
    windows.append(np.zeros((block, cfg.n_outputs), dtype))
    histories = [lc.history for lc in cfg.layers] + [0]
    activations = [np.empty((n, lc.filters), np.int64) for lc in cfg.layers]
    prescale = 1.0 / (1 << cfg.requant_shift) if exact_in_float else 1
    kernels = [(layer.weights * prescale).astype(dtype) for layer in network.layers]
    starts = [(aligned_bias(cfg, layer.bias) * prescale).astype(dtype) for layer in network.layers]
    products = [np.empty((block, lc.filters), dtype) for lc in cfg.layers]
    lows = [0 if cfg.has_relu(i) else fmt.min_int for i in range(n_layers)]  # ReLU after saturation: clip at 0
    for lo in range(0, n, block):
        m = min(n, lo + block) - lo
        windows[0][histories[0]:histories[0] + m] = x[lo:lo + m]
        for i, lc in enumerate(cfg.layers):
            history, source = histories[i], windows[i]
            acc = windows[i + 1][histories[i + 1]:histories[i + 1] + m]
            acc[:] = starts[i]
            for k in range(lc.kernel_size):
                back = (lc.kernel_size - 1 - k) * lc.dilation  # how far back tap k looks
                taps = source[history - back:history - back + m]
                if exact_in_float:
                    _accumulate_product(acc, taps, kernels[i][k])
                else:
                    product = products[i][:m]
                    np.matmul(taps, kernels[i][k], out=product)
                    acc += product
            if exact_in_float:
                if cfg.rounding == "half_even":
                    np.rint(acc, out=acc)  # ties to even
                else:
                    np.floor(acc, out=acc)  # half_up's R is already in the bias
                np.minimum(acc, fmt.max_int, out=acc)  # (np.clip is several times slower)
                np.maximum(acc, lows[i], out=acc)
            else:
                acc[:] = requantize(acc, cfg, relu=cfg.has_relu(i))
            activations[i][lo:lo + m] = acc
            source[:history] = source[m:m + history]  # keep the last `history` input rows for the next block
    return GoldenResult(activations[-1], activations)


def layer_accumulators(network: QuantizedNetwork, index: int, inputs: np.ndarray, *,
                       absolute: bool = False) -> np.ndarray:
    """Layer ``index``'s exact accumulators over a whole signal of its input codes (samples, in_channels),
    **without** the rounding constant: ``sum W x + (b << df)``, int64, shape (samples, filters).

    This is the value the requantization rounds (divided by ``2**requant_shift``), so checks can see where
    an output was an exact tie or how far from one it lay, independently of the configured rounding.
    ``absolute``: the sum of the terms' magnitudes instead, ``sum |W x| + |b << df|`` (what a floating-point
    evaluation's error bound scales with)."""
    cfg = network.config
    check_accumulator_width(cfg)
    lc = cfg.layers[index]
    layer = network.layers[index]
    x = np.asarray(inputs, dtype=np.int64)
    if x.ndim != 2 or x.shape[1] != cfg.in_channels(index):
        raise ValueError(f"layer {index} inputs must have shape (samples, {cfg.in_channels(index)}), got {x.shape}")
    weights, bias = layer.weights.astype(np.int64), layer.bias.astype(np.int64)
    if absolute:
        x, weights, bias = np.abs(x), np.abs(weights), np.abs(bias)
    padded = np.concatenate([np.zeros((lc.history, x.shape[1]), np.int64), x])  # causal zero padding
    acc = np.tile(bias << cfg.data_format.frac_bits, (len(x), 1))
    for k in range(lc.kernel_size):
        back = (lc.kernel_size - 1 - k) * lc.dilation
        acc += padded[lc.history - back:lc.history - back + len(x)] @ weights[k]
    return acc


def run_waveshaper(network: QuantizedNetwork, jacks: np.ndarray, *, state: FrontEndState | None = None,
                   chunk: int = 2048) -> GoldenResult:
    """The whole signal path: the front end on the jack signals (int codes, shape (samples, jack roles);
    ``common.roles.jack_roles``), then :func:`run_batch` on the network inputs it makes. The result's
    ``inputs`` holds those network inputs."""
    inputs, _ = network_inputs(network.config, jacks, state)
    result = run_batch(network, inputs, chunk=chunk)
    result.inputs = inputs
    return result


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
    return requantize(acc, config, relu=config.has_relu(index))


class StreamingGolden:
    """The cached (fast-WaveNet) evaluation, one sample at a time, as the hardware does it.

    Layer 0's cache is the input shift buffer; layer i's cache holds layer i-1's outputs. A cache needs
    ``history + 1`` entries; ``depths`` may give larger ones (the RTL rounds depths up to a power of two),
    which must not change any result."""

    def __init__(self, network: QuantizedNetwork, depths: list[int] | None = None):
        self.network = network
        cfg = network.config
        check_accumulator_width(cfg)
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


class StreamingWaveshaper:
    """The front end and :class:`StreamingGolden`, one jack vector at a time: the per-sample form of
    :func:`run_waveshaper`."""

    def __init__(self, network: QuantizedNetwork, depths: list[int] | None = None):
        self.network = network
        self.golden = StreamingGolden(network, depths)
        self.state = reset_state(network.config)

    def step(self, jacks: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Push one jack vector; return the network input vector and every layer's output vector."""
        inputs, self.state = network_inputs(self.network.config, np.asarray(jacks, dtype=np.int64)[None, :],
                                            self.state)
        return inputs[0], self.golden.step(inputs[0])


def run_streaming(network: QuantizedNetwork, x: np.ndarray, depths: list[int] | None = None) -> GoldenResult:
    """:class:`StreamingGolden` over a whole signal; same result type as :func:`run_batch`."""
    x = _check_input(network, x)
    model = StreamingGolden(network, depths)
    per_layer: list[list[np.ndarray]] = [[] for _ in network.layers]
    for vector in x:
        for store, out in zip(per_layer, model.step(vector), strict=True):
            store.append(out)
    activations = [np.array(store, dtype=np.int64).reshape(len(x), lc.filters)
                   for store, lc in zip(per_layer, network.config.layers, strict=True)]
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
