"""``python -m train``: build the dataset, train the QKeras model, evaluate it and write build/train/.

    python -m train --config configs/default.toml [--data path/to/manifest.json] [--out build/train]
                    [--epochs N] [--seed N] [--smoke]

Configuration and data are checked completely (every WAV of a manifest) before TensorFlow is even
imported, so a bad input fails in seconds with a specific message.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common.config import ConfigError, ModelConfig, load_config
from train.errors import DatasetError

__all__ = ["main"]


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/default.toml", help="model config (TOML with [train])")
    parser.add_argument("--data", default=None,
                        help="recording manifest.json (or its directory); default: built-in synthetic data")
    parser.add_argument("--out", default="build/train", help="output directory (default build/train)")
    parser.add_argument("--epochs", type=int, default=None, help="override [train] epochs (float pre-training)")
    parser.add_argument("--seed", type=int, default=None, help="override [train] seed")
    parser.add_argument("--smoke", action="store_true", help="tiny data and 2 epochs: checks the plumbing in seconds")
    parser.add_argument("--recipe", default=None,
                        help="apply the config's [train.<recipe>] table on top of [train] (e.g. long)")
    parser.add_argument("--init-from", default=None, type=Path,
                        help="a training output (e.g. build/train) whose smaller network this one starts from, "
                             "grown without changing its function (train/grow.py)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def run(args) -> dict:
    """The whole stage; returns the report dict."""
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    from train.dataset import TEST_SETS, load_splits
    from train.settings import SMOKE, load_settings

    config = load_config(args.config)
    settings = load_settings(args.config, args.recipe)
    if args.smoke:
        settings = settings.replace(**SMOKE)
    if args.seed is not None:
        settings = settings.replace(seed=args.seed)
    if args.epochs is not None:
        if args.epochs < 1:
            raise ConfigError(f"--epochs: must be at least 1, got {args.epochs}")
        settings = settings.replace(epochs=args.epochs)
    out = Path(args.out)
    progress = not args.quiet
    if args.init_from is not None:
        _check_init_from(args.init_from, config, out)

    timings = {}
    mark = time.perf_counter()

    def lap(name):
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 2)
        mark = now

    splits = load_splits(config, data=args.data, seed=settings.seed, test_seed=settings.test_seed, progress=progress,
                         **settings.data_sizes())
    for name, split in splits.items():
        print(f"{name}: {len(split)} windows of {split.x.shape[1]} samples "
              f"from {len(set(split.segments))} segment(s)", flush=True)
    skipped = splits.skip_report()
    if skipped["files"]:
        print(f"skipped {len(skipped['files'])} recorded file(s) shorter than one window: {skipped['samples']} "
              "samples lost", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    lap("data")

    from train.artifacts import save_model, save_split
    from train.evaluate import band_table, metrics
    from train.fit import float_twin, train_model
    from train.plots import plot_losses, plot_wavetable

    model, history, best_epoch, train_seconds, grown = train_model(config, settings, splits, out, progress=progress,
                                                                   init_from=args.init_from)
    save_model(model, config, out)
    lap("training")  # includes importing TensorFlow and building the model
    twin = float_twin(config, model)
    results = {}
    for name in TEST_SETS:
        if name not in splits:
            continue
        split = splits[name]
        save_split(split, out / f"{name}.npz")
        if name not in ("test", "test_imperfect"):
            continue  # the golden model scores every set (quantize/score.py); the float models these two
        for label, net in (("qkeras", model), ("float", twin)):
            y_hat = net.predict(split.x, batch_size=64, verbose=0)
            m = metrics(config, split, y_hat)
            prefix = "" if name == "test" else "imperfect_"
            results.setdefault(label, {}).update({f"{prefix}test_snr_db": m["snr_db"], f"{prefix}test_mse": m["mse"],
                                                  f"{prefix}band_snr_db": band_table(config, split, y_hat)})
            if name == "test":
                results["test_windows"] = m["windows"]
    lap("evaluation")
    plot_losses(history, best_epoch, out / "loss.png")
    plot_wavetable(config, model, twin, out / "wavetable.png")
    lap("plots")
    report = {
        "config": config.name,
        "params": config.params,
        "receptive_field": config.receptive_field,
        "macs_per_sample": config.macs_per_sample,
        "data": str(args.data) if args.data else "synthetic",
        "epochs": history["phase"].count("float"),
        "qat_epochs": history["phase"].count("quantized"),
        "best_epoch": best_epoch + 1,
        "best_val_loss": float(history["val_loss"][best_epoch]),
        "train_seconds": round(train_seconds, 2),
        # The integer golden model's figures (what the board plays) are added as "golden" (and the headline
        # "test_snr_db") by `python -m quantize.score`, which `make train` runs next.
        "qkeras": results["qkeras"],
        "float": results["float"],
        "test_windows": results["test_windows"],
        "windows": {name: len(split) for name, split in splits.items()},
        # recorded files shorter than one window, left out (train/recorded.py): each, and the samples lost
        "skipped": skipped,
        "smoke": bool(args.smoke),
        "recipe": args.recipe or "default",
        # the trained smaller network this one started from (train/grow.py), or None
        "init_from": grown,
        "settings": {**settings.__dict__},
        "timings_seconds": timings,
    }
    report["wall_seconds"] = round(time.perf_counter() - wall_start, 2)
    # CPU time of all threads: on a shared machine this, not the wall time, shows the work done.
    report["cpu_seconds"] = round(time.process_time() - cpu_start, 2)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _check_init_from(init_from: Path, config, out: Path) -> None:
    """The network to grow from exists, is another directory's, and grows into ``config``: checked before
    any data is made or TensorFlow imported."""
    from train.artifacts import CONFIG_FILE
    from train.grow import check_growth

    if not (init_from / CONFIG_FILE).is_file() or not (init_from / "model.h5").is_file():
        raise ConfigError(f"--init-from: {init_from} holds no trained network ({CONFIG_FILE} and model.h5); "
                          "train the smaller network there first (make train TRAIN_OUT=...)")
    if init_from.resolve() == out.resolve():
        raise ConfigError(f"--init-from: {init_from} is also the output directory, which this training overwrites; "
                          "train the larger network into another --out")
    check_growth(ModelConfig.from_json(init_from / CONFIG_FILE), config)


def main(argv=None) -> int:
    args = _parse(argv)
    try:
        report = run(args)
    except (ConfigError, DatasetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    snr = ", ".join(f"{k} {v:.1f} dB" for k, v in report["qkeras"]["test_snr_db"].items())
    print(f"trained {report['epochs']} + {report['qat_epochs']} epochs in {report['train_seconds']:.1f} s "
          f"(total {report['wall_seconds']:.1f} s); QKeras test SNR: {snr}")
    print(f"wrote {args.out}/: model.h5 config.json report.json history.csv loss.png wavetable.png test*.npz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
