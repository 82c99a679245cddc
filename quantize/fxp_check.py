"""Golden model versus the independent fxpmath evaluation (:mod:`quantize.fxp_reference`), bit-exact.

``make quantize`` runs the exported network through both on the first test sequences and refuses to write
weights unless every layer's every output code is equal, as integers. Each sequence starts from an empty
history in both models (causal zero padding), as the test windows do in training.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .fxp_reference import run_fxpmath
from .golden import GoldenResult, first_divergence, run_batch
from .weights import QuantizedNetwork

__all__ = ["FxpmathComparison", "compare_with_fxpmath"]


@dataclass
class FxpmathComparison:
    sequences: int
    samples_checked: int
    #: Per layer: output codes that differ (every channel of every sample counts).
    per_layer_mismatches: list[int]
    #: Where the two first differ (sequence, sample, layer, channel), or None.
    first_divergence: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.samples_checked > 0 and not any(self.per_layer_mismatches)


def compare_with_fxpmath(network: QuantizedNetwork, codes: np.ndarray, max_samples: int) -> FxpmathComparison:
    """Run whole sequences of ``codes`` (N, T, n_inputs) through golden and fxpmath until ``max_samples``
    samples are checked (the last sequence is cut short); compare every layer as integers."""
    codes = np.asarray(codes)
    if codes.ndim != 3 or codes.shape[2] != network.config.n_inputs:
        raise ValueError(f"sequences must have shape (N, T, {network.config.n_inputs}), got {codes.shape}")
    start = time.perf_counter()
    mismatches = [0] * len(network.layers)
    first, checked, sequences = None, 0, 0
    for n, sequence in enumerate(codes):
        if checked >= max_samples:
            break
        sequence = sequence[:max_samples - checked]
        golden = run_batch(network, sequence)
        fxp = run_fxpmath(network, sequence)
        for i, (g, f) in enumerate(zip(golden.activations, fxp, strict=True)):
            mismatches[i] += int(np.sum(np.asarray(g) != np.asarray(f)))
        if first is None:
            where = first_divergence(GoldenResult(golden.output, golden.activations), fxp)
            first = None if where is None else f"sequence {n}: {where}"
        checked += len(sequence)
        sequences += 1
    return FxpmathComparison(sequences, checked, mismatches, first, time.perf_counter() - start)
