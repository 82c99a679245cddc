"""Golden model versus the QKeras model, layer by layer on identical inputs (and the float model's SNR).

QKeras evaluates each layer in float32 and rounds half to even; the golden model is exact and rounds as
the config says (half_up by default). Feeding each layer of both models the **same** input activations
(the golden model's, which lie on the data grid) keeps every layer's comparison independent of the
others, so nothing compounds and the allowed difference is the one of ``docs/arithmetic.md``:

* let ``v`` be the layer's exact accumulator in output LSBs (:func:`quantize.golden.layer_accumulators`
  divided by ``2**requant_shift``), clamped like the output (saturation, ReLU: both models clamp alike);
* QKeras' float32 accumulation is off ``v`` by at most ``eps`` LSB, the standard dot-product bound
  ``gamma_(n+1) * sum |terms|`` with ``gamma_m = m u / (1 - m u)``, ``u = 2**-24`` and ``n = K*C``
  products plus the bias, evaluated for every output on its own terms (``sum |terms|`` exactly, from
  ``layer_accumulators(..., absolute=True)``; :func:`float32_error_lsb` gives the layer's worst case);
* both models round ``v`` (QKeras: ``v`` +- ``eps``) to a neighbouring integer, so wherever they differ
  they differ by **one LSB**, and for the round-to-nearest modes only where ``v`` lies within ``eps`` of
  the midpoint between the two results, i.e. at a tie. For ``floor`` the golden model truncates, so a
  difference may lie anywhere in the upper half of the step (within ``0.5 + eps`` of the midpoint).

A golden model that rounded the wrong way (``floor`` where the config says ``half_up``) differs from QKeras
by one LSB far from any tie in about half of all outputs and fails. The end-to-end output error and SNR
(both models run freely) are reported as measurements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .golden import layer_accumulators, run_batch
from .weights import QuantizedNetwork

__all__ = ["QKerasComparison", "codes_from_real", "compare_with_qkeras", "float32_error_lsb", "model_output",
           "qkeras_layer_codes", "snr_db"]

#: Unit roundoff of float32 (QKeras computes in float32).
FLOAT32_UNIT_ROUNDOFF = 2.0 ** -24
#: Largest difference (LSB) between golden and QKeras outputs of one layer given identical inputs.
LAYER_TOLERANCE_LSB = 1


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


def qkeras_layer_codes(qkeras_model, network: QuantizedNetwork, index: int, inputs: np.ndarray,
                       batch: int = 64) -> np.ndarray:
    """QKeras' layer ``index`` alone (``conv{i}`` then its output quantizer: ``act{i}`` for hidden layers,
    ``quant_out`` for the last; train/model.py names) on input codes (N, T, C), as output codes."""
    cfg = network.config
    conv = qkeras_model.get_layer(f"conv{index}")
    quantizer = qkeras_model.get_layer(f"act{index}" if index < len(cfg.layers) - 1 else "quant_out")
    real = (np.asarray(inputs, dtype=np.float64) / cfg.data_format.scale).astype(np.float32)  # exact
    outs = [np.asarray(quantizer(conv(real[i:i + batch]))) for i in range(0, len(real), batch)]
    return codes_from_real(np.concatenate(outs).astype(np.float64), cfg.data_format,
                           what=f"QKeras layer {index} output")


@dataclass
class QKerasComparison:
    #: Per layer, on identical inputs: max |golden - QKeras| (LSB), and the allowed 1 LSB.
    per_layer_max_err_lsb: list[int]
    per_layer_tolerance_lsb: list[int]
    #: Per layer: outputs where golden and QKeras differ, and how many of those are not explained by a tie
    #: (by truncation, for floor) within QKeras' float32 error. Must be 0.
    per_layer_differences: list[int]
    per_layer_unexplained: list[int]
    #: Per layer: exact ties in the golden accumulators (where half_up and half_even may differ).
    per_layer_ties: list[int]
    #: Per layer: the largest per-output float32 error bound used (LSB).
    per_layer_float32_eps: list[float]
    #: Both models run freely end to end: max |golden - QKeras| of the output (LSB) and the SNR.
    max_err_lsb: int
    snr_db: float | None
    #: Golden output codes (N, T, n_out), for further comparisons.
    golden_codes: np.ndarray
    #: The first unexplained difference, described (None if there is none).
    first_unexplained: str | None = None

    @property
    def within_tolerance(self) -> bool:
        return (all(err <= tol for err, tol in zip(self.per_layer_max_err_lsb, self.per_layer_tolerance_lsb,
                                                   strict=True))
                and not any(self.per_layer_unexplained))


def golden_over_batch(network: QuantizedNetwork, codes: np.ndarray, progress: bool = False):
    """Every layer's golden codes, stacked to (N, T, filters)."""
    from tqdm import tqdm

    per_layer: list[list[np.ndarray]] = [[] for _ in network.layers]
    for sequence in tqdm(codes, desc="golden", unit="seq", disable=not progress):
        result = run_batch(network, sequence)
        for store, act in zip(per_layer, result.activations, strict=True):
            store.append(act)
    return [np.stack(store) for store in per_layer]


def _compare_layer(network: QuantizedNetwork, index: int, inputs: np.ndarray, golden: np.ndarray,
                   qkeras: np.ndarray):
    """(max error, differences, unexplained, ties, eps, first unexplained) of one layer (module docstring)."""
    cfg = network.config
    fmt = cfg.data_format
    shift = cfg.requant_shift
    acc = np.stack([layer_accumulators(network, index, seq) for seq in inputs])
    ties = int(np.sum((acc & ((1 << shift) - 1)) == (1 << (shift - 1)))) if shift > 0 else 0
    exact = acc / float(1 << shift)  # exact: |acc| < 2**53 and a power-of-two divisor
    relu = index < len(cfg.layers) - 1 and cfg.activation == "relu"
    exact = np.clip(exact, 0 if relu else fmt.min_int, fmt.max_int)
    magnitude = np.stack([layer_accumulators(network, index, seq, absolute=True) for seq in inputs])
    terms = cfg.reduction_length(index) + 1  # K*C rounded products plus the bias
    gamma = terms * FLOAT32_UNIT_ROUNDOFF / (1.0 - terms * FLOAT32_UNIT_ROUNDOFF)
    eps_each = gamma * magnitude / float(1 << shift)  # per output, in output LSBs
    eps = float(eps_each.max(initial=0.0))
    slack = eps_each + (0.5 if cfg.rounding == "floor" else 0.0)
    diff = golden - qkeras
    differs = diff != 0
    midpoint = (golden + qkeras) / 2.0
    bad = differs & ((np.abs(diff) > LAYER_TOLERANCE_LSB) | (np.abs(exact - midpoint) > slack))
    first = None
    if bad.any():
        n, t, c = (int(v) for v in np.argwhere(bad)[0])
        first = (f"layer {index}, sequence {n}, sample {t}, channel {c}: golden {int(golden[n, t, c])}, QKeras "
                 f"{int(qkeras[n, t, c])}, exact accumulator {float(exact[n, t, c])!r} LSB (float32 error <= "
                 f"{float(eps_each[n, t, c]):.3g} LSB)")
    return int(np.abs(diff).max(initial=0)), int(differs.sum()), int(bad.sum()), ties, eps, first


def compare_with_qkeras(network: QuantizedNetwork, qkeras_model, x: np.ndarray, *, batch: int = 64,
                        progress: bool = False) -> QKerasComparison:
    """Golden vs QKeras on ``x`` (N, T, n_in) float on the data grid: every layer on the golden model's own
    inputs (module docstring), and the whole models end to end (max error, SNR)."""
    cfg = network.config
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] != cfg.n_inputs:
        raise ValueError(f"test inputs must have shape (N, T, {cfg.n_inputs}), got {x.shape}")
    codes = codes_from_real(x, cfg.data_format, what="test input")
    golden = golden_over_batch(network, codes, progress)
    results = []
    for i in range(len(cfg.layers)):
        inputs = codes if i == 0 else golden[i - 1]
        qkeras = qkeras_layer_codes(qkeras_model, network, i, inputs, batch)
        results.append(_compare_layer(network, i, inputs, golden[i], qkeras))
    end_to_end = codes_from_real(model_output(qkeras_model, x.astype(np.float32), batch), cfg.data_format,
                                 what="QKeras output")
    return QKerasComparison(
        per_layer_max_err_lsb=[r[0] for r in results],
        per_layer_tolerance_lsb=[LAYER_TOLERANCE_LSB] * len(results),
        per_layer_differences=[r[1] for r in results],
        per_layer_unexplained=[r[2] for r in results],
        per_layer_ties=[r[3] for r in results],
        per_layer_float32_eps=[r[4] for r in results],
        max_err_lsb=int(np.abs(golden[-1] - end_to_end).max(initial=0)),
        snr_db=snr_db(end_to_end, golden[-1]),
        golden_codes=golden[-1],
        first_unexplained=next((r[5] for r in results if r[5]), None),
    )
