"""``make quantize``: export the trained model's FP4.12 weights and check them against the golden model.

    python -m quantize [--model-dir build/train] [--out build/weights] [--allow-saturation]

1. load the trained QKeras model and its config (fails fast if ``make train`` has not run);
2. convert the float kernels/biases with fxpmath, report every saturating value (fail unless
   ``--allow-saturation``) and check the codes equal QKeras' own quantized weights;
3. golden model vs the independent fxpmath evaluation on the first test sequences: bit-exact, every
   layer, as integers (``--fxpmath-samples``);
4. golden model vs QKeras on the test set, layer by layer on identical inputs: every difference must be
   one LSB at a tie (quantize/qkeras_check.py); end to end: max error and SNR; vs the float model (SNR);
   the golden batch form's real-time factor at 192 kHz on one core;
5. render ``build/quantize/sweep.wav`` and write ``build/quantize/report.json``;
6. only if every check passed, write ``build/weights/`` (weights.npz, config.json, manifest.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .export import (
    QuantizeError,
    check_against_qkeras,
    convert_weights,
    float_weights,
    load_trained_model,
    qkeras_weight_codes,
)
from .fxp_check import compare_with_fxpmath
from .qkeras_check import codes_from_real, compare_with_qkeras, model_output, snr_db
from .render import render_sweep
from .speed import realtime_factor


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m quantize", description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=Path("build/train"),
                        help="directory with model.h5 and config.json from `make train` (default: build/train)")
    parser.add_argument("--out", type=Path, default=Path("build/weights"),
                        help="where to write weights.npz, config.json, manifest.json (default: build/weights)")
    parser.add_argument("--report-dir", type=Path, default=Path("build/quantize"),
                        help="where to write report.json and sweep.wav (default: build/quantize)")
    parser.add_argument("--allow-saturation", action="store_true",
                        help="export even if trained values lie outside the weight format (they saturate)")
    parser.add_argument("--sweep-seconds", type=float, default=4.0, help="length of sweep.wav (default: 4)")
    parser.add_argument("--max-test-sequences", type=int, default=None,
                        help="use at most this many test windows for the QKeras check (default: all)")
    parser.add_argument("--fxpmath-samples", type=int, default=4096,
                        help="test samples evaluated by fxpmath and compared bit-exact (default: 4096)")
    args = parser.parse_args(argv)
    if args.fxpmath_samples < 1:
        parser.error(f"--fxpmath-samples: must be at least 1, got {args.fxpmath_samples}")
    return args


def _training_data_args(model_dir: Path) -> dict:
    """``load_splits`` arguments that regenerate the training run's own split: seed, sizes and data
    source from ``report.json`` of ``make train`` (defaults if it is absent)."""
    report_path = model_dir / "report.json"
    if not report_path.exists():
        return {}
    report = json.loads(report_path.read_text())
    from train.dataset import DataSizes

    settings = report.get("settings", {})
    sizes = {f: settings[f] for f in DataSizes.__dataclass_fields__ if f in settings}
    data = report.get("data", "synthetic")
    return {"data": None if data == "synthetic" else data, "seed": settings.get("seed", 0), **sizes}


def load_test_inputs(config, model_dir: Path, limit: int | None) -> tuple[np.ndarray, str]:
    """Test-set inputs (N, T, n_inputs) float on the data grid, and where they came from."""
    from train.dataset import load_splits
    from train.errors import DatasetError

    kwargs = _training_data_args(model_dir)
    try:
        test = load_splits(config, **kwargs)["test"]
    except (DatasetError, OSError, TypeError) as exc:
        raise QuantizeError(f"cannot regenerate the training run's test split {kwargs}: {exc}") from exc
    x = test["x"] if isinstance(test, dict) else getattr(test, "x", test)
    shown = {k: v for k, v in kwargs.items() if k in ("data", "seed")}
    return np.asarray(x, dtype=np.float32)[:limit], f"train.dataset.load_splits(config, {shown})['test']"


def float_twin_output(config, layers, x: np.ndarray) -> np.ndarray:
    """Output of the unquantized model with the same trained float weights."""
    from train.model import build_model

    model = build_model(config, quantized=False)
    for i, (kernel, bias) in enumerate(layers):
        model.get_layer(f"conv{i}").set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return model_output(model, x)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        model, config = load_trained_model(args.model_dir)
        layers = float_weights(model, config)
        network, saturated = convert_weights(layers, config)
        for value in saturated:
            print(f"saturated: {value}", file=sys.stderr)
        if saturated and not args.allow_saturation:
            raise QuantizeError(f"{len(saturated)} trained value(s) lie outside {config.weight_format} and would "
                                f"saturate (listed above); retrain with a smaller range or pass --allow-saturation")
        check_against_qkeras(network, qkeras_weight_codes(model, config))

        x, test_source = load_test_inputs(config, args.model_dir, args.max_test_sequences)
        fxpmath = compare_with_fxpmath(network, codes_from_real(x, config.data_format, what="test input"),
                                       args.fxpmath_samples)
        comparison = compare_with_qkeras(network, model, x, progress=True)
        float_out = float_twin_output(config, layers, x)
        golden_real = comparison.golden_codes / config.data_format.scale
        speed = realtime_factor(network, seconds=1.0, repeats=5)
        wav = render_sweep(network, args.report_dir / "sweep.wav", seconds=args.sweep_seconds)
    except QuantizeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    report = {
        "model_dir": str(args.model_dir),
        "weights_dir": str(args.out),
        "saturated_weights": [value.to_dict() for value in saturated],
        "test_data": test_source,
        "test_shape": list(x.shape),
        "fxpmath_samples_checked": fxpmath.samples_checked,
        "fxpmath_sequences": fxpmath.sequences,
        "fxpmath_mismatches_per_layer": fxpmath.per_layer_mismatches,
        "fxpmath_first_divergence": fxpmath.first_divergence,
        "fxpmath_seconds": round(fxpmath.seconds, 2),
        "per_layer_max_err_lsb_vs_qkeras": comparison.per_layer_max_err_lsb,  # identical inputs per layer
        "per_layer_tolerance_lsb": comparison.per_layer_tolerance_lsb,
        "per_layer_differences_vs_qkeras": comparison.per_layer_differences,
        "per_layer_differences_off_tie": comparison.per_layer_unexplained,  # must be 0
        "per_layer_ties": comparison.per_layer_ties,
        "per_layer_float32_eps_lsb": comparison.per_layer_float32_eps,
        "first_difference_off_tie": comparison.first_unexplained,
        "max_err_lsb_vs_qkeras": comparison.max_err_lsb,  # end to end, both models free-running
        "snr_db_vs_qkeras": comparison.snr_db,  # null: identical (infinite SNR)
        "snr_db_vs_float": snr_db(float_out, golden_real),
        "golden_realtime_factor_192k": speed["realtime_factor"],  # wall clock, median, one core
        "golden_cpu_realtime_factor_192k": speed["cpu_realtime_factor"],  # process CPU time, median
        "golden_speed": speed,
        "sweep_wav": wav,
    }
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: report[k] for k in ("fxpmath_samples_checked", "fxpmath_mismatches_per_layer",
                                              "per_layer_max_err_lsb_vs_qkeras", "per_layer_differences_vs_qkeras",
                                              "per_layer_differences_off_tie", "max_err_lsb_vs_qkeras",
                                              "snr_db_vs_qkeras", "snr_db_vs_float", "golden_realtime_factor_192k",
                                              "golden_cpu_realtime_factor_192k")}, indent=2))
    print(f"wrote {args.report_dir / 'report.json'} and {wav['path']}")
    failed = False
    if not fxpmath.ok:
        print(f"error: golden and fxpmath differ in {fxpmath.per_layer_mismatches} output codes per layer over "
              f"{fxpmath.samples_checked} samples ({fxpmath.first_divergence}); weights not written", file=sys.stderr)
        failed = True
    if not comparison.within_tolerance:
        print(f"error: golden and QKeras differ by {comparison.per_layer_max_err_lsb} LSB per layer on identical "
              f"inputs (allowed {comparison.per_layer_tolerance_lsb}), {comparison.per_layer_unexplained} "
              f"difference(s) away from a tie; first: {comparison.first_unexplained}; weights not written",
              file=sys.stderr)
        failed = True
    if failed:
        return 1
    # written last, so a failed check never leaves weights newer than the model for make to reuse
    network.save(args.out)
    print(f"wrote {args.out}/weights.npz, config.json, manifest.json ({config.params} parameters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
