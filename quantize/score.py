"""``python -m quantize.score``: what the board plays, measured: the integer golden model on the test sets.

    python -m quantize.score [--train-dir build/train]

``make train`` runs it right after ``python -m train``. It exports the trained weights to FP4.12 as
``make quantize`` does (fxpmath, round half to even), runs the golden model (``quantize/golden.py``: the
board's exact arithmetic, front end included) over the very windows ``train`` evaluated
(``test.npz``, ``test_imperfect.npz``) and adds to ``build/train/report.json``:

* ``golden``: for the headline test set (drawn from the test seed, which no recipe was tuned on): SNR per
  wave and blend, the wave x octave-band table and its worst cell, each of the full band and of the
  audible band (below 20 kHz, ``train.evaluate``); the same for the imperfect-core test set
  (``imperfect_*``), for each imperfect-core category (``categories``: curved slopes, small cores,
  asymmetric cores, pitch steps, audio-rate FM) and for the development sets (``dev``: the takes of the
  training seed, on which the recipe was chosen); steady tones per octave, and the first 16 harmonics of
  each corner at 110, 440 and 1760 Hz against the target's;
* ``test_snr_db``: the golden figures of the headline test set again, as the report's headline;

and draws ``build/train/bands.png``, the band table as a heat map, and ``bands_audible.png``, the audible
band's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from common.config import ConfigError, ModelConfig

from .export import QuantizeError, convert_weights, stored_float_weights
from .golden import run_batch
from .weights import QuantizedNetwork

__all__ = ["golden_predict", "main", "score"]


def golden_predict(network: QuantizedNetwork):
    """A ``predict`` for ``train.evaluate``: network inputs (N, T, C) float on the data grid -> the golden
    model's outputs (N, T, n_outputs) as reals. The windows run back to back as one signal: each window's
    first ``receptive_field - 1`` outputs then see the previous window instead of zero padding, and those
    are exactly the outputs every metric skips, so the scored samples are the same."""
    cfg = network.config
    scale = cfg.data_format.scale

    def predict(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        codes = cfg.data_format.to_codes(x)
        if not np.array_equal(codes, x * scale):
            raise QuantizeError("test inputs are not on the data format's grid; they cannot be what the board sees")
        n, t, c = codes.shape
        out = run_batch(network, codes.reshape(n * t, c)).output
        return (out / scale).reshape(n, t, -1)

    return predict


def _figures(config: ModelConfig, split, y_hat: np.ndarray) -> dict:
    """One held-out set's figures: SNR per group and per wave x band cell, of the full and the audible band
    (``train.evaluate``), and the worst cell of each."""
    from train.evaluate import audible_snr, band_table, metrics, worst_cell

    m = metrics(config, split, y_hat)
    bands, audible_bands = band_table(config, split, y_hat), band_table(config, split, y_hat, audible=True)
    return {"test_snr_db": m["snr_db"], "test_mse": m["mse"], "band_snr_db": bands, "worst_cell": worst_cell(bands),
            "audible_snr_db": audible_snr(config, split, y_hat), "audible_band_snr_db": audible_bands,
            "audible_worst_cell": worst_cell(audible_bands)}


def score(train_dir: Path) -> dict:
    """The golden figures (module docstring) for the model in ``train_dir``; updates its report.json."""
    start = time.perf_counter()
    from train.artifacts import CONFIG_FILE, load_split
    from train.dataset import TEST_SETS
    from train.errors import DatasetError
    from train.evaluate import harmonic_error, snr_by_frequency
    from train.plots import plot_band_table

    report_path = train_dir / "report.json"
    if not report_path.is_file():
        raise QuantizeError(f"{report_path} is missing: run `make train` first")
    test_path = train_dir / "test.npz"
    if not test_path.is_file():
        raise QuantizeError(f"{test_path} is missing: rerun `make train` (it writes the test windows there)")
    # Every file is read and checked before the model is loaded (TensorFlow) and the golden model runs.
    rerun = "rerun `make train` to write it again"
    try:
        report = json.loads(report_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise QuantizeError(f"{report_path}: not valid JSON ({exc}); {rerun}") from exc
    if not isinstance(report, dict):
        raise QuantizeError(f"{report_path}: not a training report (a JSON object); {rerun}")
    try:
        config = ModelConfig.from_json(train_dir / CONFIG_FILE)
    except ConfigError as exc:
        raise QuantizeError(f"{exc}; {rerun}") from exc
    # the held-out sets this training wrote (its report lists them; an older run's files are not read)
    written = [name for name in TEST_SETS if name in report.get("windows", {"test": 0, "test_imperfect": 0})]
    splits = {}
    for name in written:
        path = train_dir / f"{name}.npz"
        if not path.is_file():
            continue
        try:
            splits[name] = load_split(path, config)
        except DatasetError as exc:
            raise QuantizeError(f"{exc}; {rerun}") from exc
    weights, config = stored_float_weights(train_dir)  # no TensorFlow: the golden model needs only the arrays
    network, saturated = convert_weights(weights, config)
    predict = golden_predict(network)
    golden: dict = {"saturated_weights": len(saturated)}
    # the sets are independent and numpy's integer arithmetic runs outside the interpreter lock: two at a time
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(zip(splits, pool.map(predict, (split.x for split in splits.values())), strict=True))
    for name, split in splits.items():
        figures = _figures(config, split, outputs[name])
        if name in ("test", "test_imperfect"):
            prefix = "" if name == "test" else "imperfect_"
            golden.update({f"{prefix}{key}": value for key, value in figures.items()})
        elif name.startswith("dev"):
            prefix = "" if name == "dev" else "imperfect_"
            golden.setdefault("dev", {}).update({f"{prefix}{key}": value for key, value in figures.items()})
        else:
            golden.setdefault("categories", {})[name.removeprefix("test_")] = figures
    golden["snr_db_by_frequency_hz"] = snr_by_frequency(config, predict)
    golden["harmonic_error_db"] = harmonic_error(config, predict)
    report["golden"] = golden
    report["test_snr_db"] = golden["test_snr_db"]
    report["score_seconds"] = round(time.perf_counter() - start, 2)
    if golden.get("band_snr_db"):
        plot_band_table(golden["band_snr_db"], train_dir / "bands.png",
                        f"'{config.name}': golden-model test SNR per octave band (dB)")
    if golden.get("audible_band_snr_db"):
        plot_band_table(golden["audible_band_snr_db"], train_dir / "bands_audible.png",
                        f"'{config.name}': golden-model test SNR below 20 kHz per octave band (dB)")
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    return golden


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quantize.score", description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=Path("build/train"),
                        help="the training output (default: build/train)")
    args = parser.parse_args(argv)
    try:
        golden = score(args.train_dir)
    except QuantizeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    snr = ", ".join(f"{k} {v:.1f}" for k, v in golden["test_snr_db"].items())
    print(f"golden model (the board's arithmetic), test SNR dB: {snr}")
    if golden.get("band_snr_db"):
        for band, row in golden["band_snr_db"].items():
            print(f"  {band:>12} Hz: " + "  ".join(f"{k} {v:5.1f}" for k, v in row.items()))
    from train.summary import cell_gaps

    for label, key in (("worst cell", "worst_cell"), ("worst audible cell", "audible_worst_cell")):
        if golden.get(key):
            cell = golden[key]
            print(f"{label}: {cell['snr_db']:.1f} dB ({cell['group']}, {cell['band']} Hz){cell_gaps(cell)}")
    if golden.get("audible_snr_db"):
        print(f"audible band (< 20 kHz): {golden['audible_snr_db']['all']:.1f} dB all waves")
    if "imperfect_test_snr_db" in golden:
        print(f"imperfect cores: {golden['imperfect_test_snr_db']['all']:.1f} dB all waves")
    for category, figures in golden.get("categories", {}).items():
        print(f"  {category}: {figures['test_snr_db']['all']:.1f} dB all waves")
    if "dev" in golden:
        print(f"development takes (training seed): {golden['dev']['test_snr_db']['all']:.1f} dB all waves")
    print(f"updated {args.train_dir / 'report.json'} and wrote {args.train_dir / 'bands.png'} and bands_audible.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
