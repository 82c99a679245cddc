"""Golden model versus hardware, as integers: every sample, every channel, no tolerance.

A :class:`Comparison` says how many output samples differ, which one differs first, and (when the run
carried the per-layer debug ports) the sample, layer and channel where the two first diverge, so a
mismatch can be debugged without a waveform viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quantize.golden import GoldenResult, first_divergence

from .runner import SimRun

__all__ = ["Comparison", "compare"]


@dataclass
class Comparison:
    samples_checked: int
    #: Output samples (rows) with at least one differing channel.
    mismatches: int
    #: First differing output sample, or None.
    first_failing_sample: int | None
    #: That sample's golden and hardware output vectors.
    first_expected: list[int] | None
    first_actual: list[int] | None
    #: ``quantize.golden.first_divergence`` over the debug layers (None if equal or no debug data).
    first_divergence: str | None
    #: Samples the hardware never answered (watchdog) or lost (harness overrun).
    missing: int

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.missing == 0

    def describe(self) -> str:
        if self.ok:
            return f"{self.samples_checked} samples bit-exact"
        parts = [f"{self.mismatches} of {self.samples_checked} output samples differ"]
        if self.missing:
            parts.append(f"{self.missing} sample(s) produced no output")
        if self.first_failing_sample is not None:
            parts.append(f"first at sample {self.first_failing_sample}: golden {self.first_expected}, "
                         f"hardware {self.first_actual}")
        if self.first_divergence:
            parts.append(self.first_divergence)
        return "; ".join(parts)


def compare(golden: GoldenResult, run: SimRun) -> Comparison:
    """Compare a hardware run with the golden result of the same inputs (as many samples as the run has)."""
    expected = np.asarray(golden.output, dtype=np.int64)
    actual = np.asarray(run.outputs, dtype=np.int64)
    n = len(expected)
    checked = min(n, len(actual))
    missing = n - checked
    if actual.shape[1:] != expected.shape[1:]:
        raise ValueError(f"hardware gives {actual.shape[1:]} output channels, golden {expected.shape[1:]}")
    bad_rows = np.flatnonzero(np.any(expected[:checked] != actual[:checked], axis=1))
    first = int(bad_rows[0]) if len(bad_rows) else None
    divergence = None
    if run.layers:
        trimmed = GoldenResult(expected[:checked], [a[:checked] for a in golden.activations])
        divergence = first_divergence(trimmed, run.layers)
    if first is None and missing:
        first = checked
    return Comparison(
        samples_checked=checked,
        mismatches=len(bad_rows),
        first_failing_sample=first,
        first_expected=expected[first].tolist() if first is not None and first < n else None,
        first_actual=actual[first].tolist() if first is not None and first < checked else None,
        first_divergence=divergence,
        missing=missing,
    )
