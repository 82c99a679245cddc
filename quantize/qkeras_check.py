"""Golden model versus the QKeras model (and the float model) on real signals.

QKeras evaluates the network in float32 and rounds half to even, the golden model is exact and rounds
as the config says (half_up by default), so the two may differ by a few LSBs. The allowed difference
is **derived** from ``docs/arithmetic.md``, never guessed. Per layer l, with both models' outputs
rounded from nearly the same accumulator:

* the golden model's rounding is off the exact accumulator by at most ``r`` LSB (0.5 for the
  round-to-nearest modes, below 1 for floor), QKeras' by at most 0.5 LSB (half to even);
* QKeras' float32 accumulation is off the exact sum by at most ``eps_l`` LSB, the standard dot-product
  bound ``gamma_(n+1) * sum |terms|`` with ``gamma_m = m u / (1 - m u)``, ``u = 2**-24`` and ``n = K*C``
  products plus the bias, evaluated with the largest input magnitude seen;
* a difference of ``delta_(l-1)`` LSB on the layer's inputs changes the exact accumulator by at most
  ``A_l * delta_(l-1)`` LSB, ``A_l = max_o sum_{k,c} |W[k,c,o]|`` in real units;
* saturation and ReLU are applied identically to both and are 1-Lipschitz.

So ``delta_l <= floor(r + 0.5 + eps_l + A_l * delta_(l-1))`` (the left side is an integer), with
``delta_(-1) = 0`` because the inputs are on the grid and identical. For half_up/half_even and small
``eps`` this is the page's "at most one LSB per layer, grown by the row sum" bound; the final
``delta_(L-1)`` is the tolerance on the network output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .golden import run_batch
from .weights import QuantizedNetwork

__all__ = ["QKerasComparison", "codes_from_real", "compare_with_qkeras", "derive_tolerance",
           "float32_error_lsb", "layer_outputs_model", "max_abs_row_sums", "model_output", "snr_db"]

#: Unit roundoff of float32 (QKeras computes in float32).
FLOAT32_UNIT_ROUNDOFF = 2.0 ** -24


def codes_from_real(values: np.ndarray, fmt, *, what: str = "values") -> np.ndarray:
    """Real values that must already lie on ``fmt``'s grid -> integer codes; raise if not."""
    scaled = np.asarray(values, dtype=np.float64) * fmt.scale
    codes = np.rint(scaled)
    off = np.argwhere(codes != scaled)
    if len(off):
        idx = tuple(int(v) for v in off[0])
        raise ValueError(f"{what}{list(idx)} = {values[idx]!r} is not on the {fmt} grid "
                         f"(a multiple of 2**-{fmt.frac_bits})")
    if codes.size and (codes.min() < fmt.min_int or codes.max() > fmt.max_int):
        raise ValueError(f"{what} outside the {fmt} range [{fmt.min_real}, {fmt.max_real}]")
    return codes.astype(np.int64)


def max_abs_row_sums(network: QuantizedNetwork) -> list[float]:
    """``A_l = max_o sum_{k,c} |W[k,c,o]|`` per layer, in real units: the Lipschitz constant of the
    layer's linear part in the max norm."""
    scale = network.config.weight_format.scale
    return [float(np.abs(layer.weights).sum(axis=(0, 1)).max()) / scale for layer in network.layers]


def float32_error_lsb(network: QuantizedNetwork, index: int, max_input_code: float) -> float:
    """Bound on QKeras' float32 accumulation error of layer ``index`` in output LSBs, for inputs of
    magnitude at most ``max_input_code`` (data-format codes)."""
    cfg = network.config
    layer = network.layers[index]
    terms = cfg.reduction_length(index) + 1  # K*C rounded products plus the bias
    mu = terms * FLOAT32_UNIT_ROUNDOFF
    gamma = mu / (1.0 - mu)
    w_scale, d_scale = cfg.weight_format.scale, cfg.data_format.scale
    row_sums = np.abs(layer.weights).sum(axis=(0, 1)) / w_scale
    magnitude = row_sums * (max_input_code / d_scale) + np.abs(layer.bias) / w_scale  # real, per output
    return float(gamma * magnitude.max() * d_scale)


def derive_tolerance(network: QuantizedNetwork, max_input_codes: list[float]) -> list[int]:
    """Per-layer bound ``delta_l`` (LSB) on |golden - QKeras| (module docstring). ``max_input_codes[l]``
    is the largest |input code| layer l sees in the golden run; QKeras' may be larger by delta_(l-1)."""
    cfg = network.config
    golden_rounding = 1.0 if cfg.rounding == "floor" else 0.5
    qkeras_rounding = 0.5
    deltas: list[int] = []
    previous = 0
    for i, row_sum in enumerate(max_abs_row_sums(network)):
        eps = float32_error_lsb(network, i, max_input_codes[i] + previous)
        previous = math.floor(golden_rounding + qkeras_rounding + eps + row_sum * previous)
        deltas.append(previous)
    return deltas


def snr_db(reference: np.ndarray, test: np.ndarray) -> float | None:
    """10 log10(signal power / error power); ``None`` when the two are identical (infinite SNR)."""
    reference = np.asarray(reference, dtype=np.float64)
    error = np.sum((reference - np.asarray(test, dtype=np.float64)) ** 2)
    if error == 0:
        return None
    return float(10.0 * np.log10(np.sum(reference ** 2) / error))


def model_output(model, x: np.ndarray, batch: int = 64) -> np.ndarray:
    """A Keras model's float output for float32 ``x`` (N, T, n_in), in batches, without ``predict``."""
    outs = [np.asarray(model(x[i:i + batch], training=False)) for i in range(0, len(x), batch)]
    return np.concatenate(outs).astype(np.float64)


@dataclass
class QKerasComparison:
    max_err_lsb: int
    tolerance_lsb: int
    per_layer_tolerance_lsb: list[int]
    #: max |golden - QKeras| of every layer's output (hidden layers after the activation quantizer).
    per_layer_max_err_lsb: list[int]
    snr_db: float | None
    #: Golden output codes (N, T, n_out), for further comparisons.
    golden_codes: np.ndarray

    @property
    def within_tolerance(self) -> bool:
        return all(err <= tol for err, tol in zip(self.per_layer_max_err_lsb, self.per_layer_tolerance_lsb,
                                                  strict=True))


def golden_over_batch(network: QuantizedNetwork, codes: np.ndarray, progress: bool = False):
    """Every layer's golden codes, stacked to (N, T, filters), and the largest |input code| per layer."""
    from tqdm import tqdm

    per_layer: list[list[np.ndarray]] = [[] for _ in network.layers]
    max_inputs = [0.0] * len(network.layers)
    for sequence in tqdm(codes, desc="golden", unit="seq", disable=not progress):
        result = run_batch(network, sequence)
        for i, inputs in enumerate([sequence, *result.activations[:-1]]):
            max_inputs[i] = max(max_inputs[i], float(np.abs(inputs).max(initial=0)))
        for store, act in zip(per_layer, result.activations, strict=True):
            store.append(act)
    return [np.stack(store) for store in per_layer], max_inputs


def layer_outputs_model(qkeras_model, n_layers: int):
    """A model giving every layer's quantized output: ``act{i}`` for hidden layers (train/model.py
    names), the model output for the last."""
    import tensorflow as tf

    outputs = [qkeras_model.get_layer(f"act{i}").output for i in range(n_layers - 1)] + [qkeras_model.output]
    return tf.keras.Model(qkeras_model.inputs, outputs)


def compare_with_qkeras(network: QuantizedNetwork, qkeras_model, x: np.ndarray, *, batch: int = 64,
                        progress: bool = False) -> QKerasComparison:
    """Run golden and QKeras on ``x`` (N, T, n_in) float on the data grid: every layer's max error in
    LSBs against its derived tolerance, and the output SNR."""
    cfg = network.config
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] != cfg.n_inputs:
        raise ValueError(f"test inputs must have shape (N, T, {cfg.n_inputs}), got {x.shape}")
    codes = codes_from_real(x, cfg.data_format, what="test input")
    golden, max_inputs = golden_over_batch(network, codes, progress)
    probe = layer_outputs_model(qkeras_model, len(cfg.layers))
    chunks = [probe(x[i:i + batch].astype(np.float32), training=False) for i in range(0, len(x), batch)]
    chunks = [c if isinstance(c, list | tuple) else [c] for c in chunks]
    qkeras = [codes_from_real(np.concatenate([np.asarray(c[i]) for c in chunks]).astype(np.float64),
                              cfg.data_format, what=f"QKeras layer {i} output") for i in range(len(cfg.layers))]
    per_layer = derive_tolerance(network, max_inputs)
    errors = [int(np.abs(g - q).max(initial=0)) for g, q in zip(golden, qkeras, strict=True)]
    return QKerasComparison(
        max_err_lsb=errors[-1],
        tolerance_lsb=per_layer[-1],
        per_layer_tolerance_lsb=per_layer,
        per_layer_max_err_lsb=errors,
        snr_db=snr_db(qkeras[-1], golden[-1]),
        golden_codes=golden[-1],
    )
