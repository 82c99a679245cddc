"""``make listen``: hear what the board will play before flashing it.

    python -m quantize.listen [--weights build/weights] [--out build/listen] [--seconds 1.5]

Renders through the integer golden model (``quantize/golden.py``, front end included: the board's exact
arithmetic) and writes, at the model's sample rate, each beside its target:

* ``<wave>_<f>Hz.wav`` / ``<wave>_<f>Hz.target.wav``: each corner wave at 55, 220, 880 and 3520 Hz;
* ``sweep_<f>Hz.wav`` / ``.target.wav``: a slow CV sweep over the whole embedding square (all corners, the
  edges and the interior) at 55, 220 and 880 Hz;
* ``glide_<wave>.wav`` / ``.target.wav``: each corner while the pitch glides from 27.5 Hz to 4186 Hz;
* ``spectrogram.png``: the glides' spectrograms, target beside output;
* ``report.json``: the SNR of every rendering against its target.

WAVs are 32-bit float, 1.0 in the network (5 V at the jack) written as 0.5, so overshoots never clip.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.io import wavfile

from common.cli import positive_seconds

from .golden import run_waveshaper
from .weights import QuantizedNetwork, WeightsError

__all__ = ["main", "render_all"]

CORNER_FREQUENCIES_HZ = (55, 220, 880, 3520)
SWEEP_FREQUENCIES_HZ = (55, 220, 880)
#: Written level of the network's 1.0.
WAV_GAIN = 0.5
#: The longest corner rendering ``--seconds`` accepts: the sweeps and glides are four times as long, and each
#: rendering is held in memory (a minute of corner is 46 million samples of sweep at 192 kHz).
MAX_SECONDS = 60.0


def _render(network: QuantizedNetwork, core: np.ndarray, e0, e1) -> np.ndarray:
    """The golden output (reals) for a core wave and CVs (scalars or per-sample arrays)."""
    from train.dataset import jack_codes

    cfg = network.config
    return run_waveshaper(network, jack_codes(cfg, core, e0, e1)).output[:, 0] / cfg.data_format.scale


def _write(path: Path, signal: np.ndarray, fs: int) -> None:
    wavfile.write(path, fs, (np.asarray(signal) * WAV_GAIN).astype(np.float32))


def _snr(target: np.ndarray, output: np.ndarray, skip: int) -> float:
    err = target[skip:] - output[skip:]
    return round(float(10 * np.log10(np.sum(target[skip:] ** 2) / max(np.sum(err**2), 1e-300))), 2)


def render_all(network: QuantizedNetwork, out: Path, seconds: float = 1.5) -> dict:
    """Every rendering of the module docstring into ``out``; returns the report."""
    from train.dataset import delayed
    from train.embedding import CORNERS, blend, sweep_path
    from train.evaluate import settle_samples
    from train.waves import TARGET_WAVES, phase_from_frequency, synthesize

    cfg = network.config
    fs = cfg.sample_rate_hz
    skip = settle_samples(cfg)  # SNRs after the front end has found the swing (the WAVs keep the start)
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"sample_rate_hz": fs, "wav_gain": WAV_GAIN, "corners": {}, "sweeps": {}, "glides": {}}

    def tone(freq: np.ndarray) -> dict:
        """The core, and the targets behind it by the model's lookahead (so each target file lines up with
        what the board plays)."""
        waves = synthesize(phase_from_frequency(freq, fs, start=0.13), freq, fs)
        return {name: wave if name == "core" else delayed(wave, cfg.lookahead) for name, wave in waves.items()}

    n = int(seconds * fs)
    for f in CORNER_FREQUENCIES_HZ:
        waves = tone(np.full(n, float(f)))
        for wave in TARGET_WAVES:
            output = _render(network, waves["core"], *CORNERS[wave])
            _write(out / f"{wave}_{f}Hz.wav", output, fs)
            _write(out / f"{wave}_{f}Hz.target.wav", waves[wave], fs)
            report["corners"].setdefault(wave, {})[f"{f}"] = _snr(waves[wave], output, skip)
    n_sweep = int(4 * seconds * fs)
    path = sweep_path(n_sweep)
    for f in SWEEP_FREQUENCIES_HZ:
        waves = tone(np.full(n_sweep, float(f)))
        target = blend(waves, path[:, 0], path[:, 1])
        output = _render(network, waves["core"], path[:, 0], path[:, 1])
        _write(out / f"sweep_{f}Hz.wav", output, fs)
        _write(out / f"sweep_{f}Hz.target.wav", target, fs)
        report["sweeps"][f"{f}"] = _snr(target, output, skip)
    n_glide = int(4 * seconds * fs)
    glide = 27.5 * (4186.0 / 27.5) ** (np.arange(n_glide) / n_glide)
    waves = tone(glide)
    spectra = []
    for wave in TARGET_WAVES:
        output = _render(network, waves["core"], *CORNERS[wave])
        _write(out / f"glide_{wave}.wav", output, fs)
        _write(out / f"glide_{wave}.target.wav", waves[wave], fs)
        report["glides"][wave] = _snr(waves[wave], output, skip)
        spectra.append((wave, waves[wave], output))
    _spectrogram(spectra, fs, out / "spectrogram.png")
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _spectrogram(spectra, fs: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(spectra), 2, figsize=(11, 2.4 * len(spectra)), sharex=True, sharey=True)
    for row, (wave, target, output) in zip(axes, spectra, strict=True):
        for ax, signal, what in ((row[0], target, "target"), (row[1], output, "board (golden model)")):
            ax.specgram(signal, NFFT=2048, Fs=fs, noverlap=1024, cmap="magma", vmin=-160, vmax=-20)
            ax.set_title(f"{wave} glide 27.5 Hz -> 4186 Hz: {what}", fontsize=8)
            ax.set_ylim(0, fs / 2)
            ax.tick_params(labelsize=7)
    fig.supxlabel("s")
    fig.supylabel("Hz")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quantize.listen", description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=Path("build/weights"), help="written by `make quantize`")
    parser.add_argument("--out", type=Path, default=Path("build/listen"), help="output directory")
    parser.add_argument("--seconds", type=positive_seconds("--seconds", 1.5, MAX_SECONDS), default=1.5,
                        help=f"length of each corner rendering (default 1.5, at most {MAX_SECONDS:g})")
    args = parser.parse_args(argv)
    try:
        network = QuantizedNetwork.load(args.weights)
    except (WeightsError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc} (run `make quantize` first)", file=sys.stderr)
        return 2
    report = render_all(network, args.out, args.seconds)
    worst = min(v for per in report["corners"].values() for v in per.values())
    print(f"wrote {args.out}/: corner, sweep and glide WAVs beside their targets, spectrogram.png, report.json; "
          f"worst corner SNR {worst:.1f} dB, glides " + ", ".join(f"{k} {v:.1f}" for k, v in report["glides"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
