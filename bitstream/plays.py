"""What a bitstream plays, stated in its report (and Tiliqua's archive) so that nobody needs the build tree.

:func:`plays` gathers, for one network on one board:

* ``sample_rate_hz``: the codec's rate on this board (the network makes one output per codec sample), and
  ``trained_sample_rate_hz``, the rate the network was trained for (the plan refuses more than 2 % apart);
* ``latency_samples``: how many samples the output runs behind the core at the input jack: the network's
  ``lookahead`` (it is trained to play the target of the core's sample ``t - lookahead``) plus the
  ``pipeline``'s whole sample periods (``plan.latency_samples``: front end and layers, input taken to output
  valid, at the planned spacing), and their ``total``; the codec's own converters add theirs;
* ``volts_per_unit``: the jack scaling, volts at a jack for the value 1.0 of the network's data format;
* ``params``: the network's parameter count;
* ``test_snr_db``: the golden model's test SNR over all waves from the training report of this network
  (:func:`training_report`), or None with the reason in ``test_snr_source``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from common.config import ModelConfig

__all__ = ["brief", "plays", "training_report", "training_report_candidates"]


def _shape(config: ModelConfig) -> dict:
    return {k: v for k, v in config.to_dict().items() if k != "name"}


def training_report(config: ModelConfig, directories) -> tuple[dict | None, str]:
    """The first ``report.json`` in ``directories`` whose ``config.json`` beside it trained a network of
    ``config``'s shape (everything but its name), with where it was found; else None and where it was looked
    for."""
    looked = []
    for directory in directories:
        directory = Path(directory)
        report, trained = directory / "report.json", directory / "config.json"
        looked.append(str(report))
        if not (report.is_file() and trained.is_file()):
            continue
        try:
            other = ModelConfig.from_json(trained)
            data = json.loads(report.read_text())
        except (ValueError, OSError):
            continue
        if _shape(other) == _shape(config):
            return data, str(report)
    return None, ", ".join(looked)


def training_report_candidates(config: ModelConfig, weights_dir: str | Path) -> list[Path]:
    """Where the training report of the weights in ``weights_dir`` may be, most specific first: the training
    run ``make quantize`` exported them from (its report beside the weights' build root names it), the
    config's own ``TRAIN_OUT`` (``<build>/train/<config name>``), and plain ``make train``'s ``<build>/train``."""
    weights_dir = Path(weights_dir)
    build = weights_dir.parent
    candidates = []
    quantize_report = build / "quantize" / "report.json"
    if quantize_report.is_file():
        try:
            exported = json.loads(quantize_report.read_text())
        except ValueError:
            exported = {}
        if exported.get("model_dir") and Path(exported.get("weights_dir", "")).resolve() == weights_dir.resolve():
            candidates.append(Path(exported["model_dir"]))
    candidates += [build / "train" / config.name, build / "train"]
    return list(dict.fromkeys(candidates))


def _snr_all(report: dict) -> float | None:
    snr = report.get("test_snr_db")
    if isinstance(snr, dict):
        snr = snr.get("all")
    return float(snr) if isinstance(snr, int | float) else None


def plays(config: ModelConfig, plan, board, *, weights_dir: str | Path | None = None) -> dict[str, Any]:
    """What ``config``'s network, planned as ``plan`` (an ``rtl.plan.Plan``), plays on ``board``. The test SNR
    is looked up beside ``weights_dir`` (None: the weights were not loaded from a directory, e.g. random
    weights, and have no training report)."""
    if weights_dir is None:
        snr, source = None, "no training report: the weights were not loaded from a weights directory"
    else:
        report, where = training_report(config, training_report_candidates(config, weights_dir))
        if report is None:
            snr, source = None, f"no training report of this network's shape in {where}"
        else:
            snr = _snr_all(report)
            source = where if snr is not None else f"{where} has no test_snr_db (run python -m quantize.score)"
    return {
        "sample_rate_hz": round(board.sample_rate_hz, 3),
        "trained_sample_rate_hz": config.sample_rate_hz,
        "latency_samples": {"lookahead": config.lookahead, "pipeline": plan.latency_samples,
                            "total": config.lookahead + plan.latency_samples},
        "volts_per_unit": config.volts_per_unit,
        "params": config.params,
        "test_snr_db": None if snr is None else round(snr, 2),
        "test_snr_source": source,
    }


def brief(played: dict[str, Any]) -> str:
    """One line of what a bitstream plays, e.g. for a bootloader's menu."""
    snr = "SNR n/a" if played["test_snr_db"] is None else f"SNR {played['test_snr_db']:.1f} dB"
    return (f"{played['sample_rate_hz'] / 1000:.1f} kHz, {played['latency_samples']['total']} samples late, "
            f"{played['volts_per_unit']:g} V/unit, {played['params']} params, {snr}")
