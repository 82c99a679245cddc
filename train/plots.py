"""Training plots (matplotlib Agg, files only): loss curves and a wavetable-style grid of output waves."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from common.config import ModelConfig
from train.dataset import delayed, make_inputs, quantize_input
from train.embedding import blend
from train.waves import ALL_WAVES, phase_from_frequency, synthesize

__all__ = ["plot_band_table", "plot_losses", "grid_windows", "plot_wavetable"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_losses(history: dict, best_epoch: int, path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.semilogy(epochs, history["loss"], label="train")
    val = np.asarray(history["val_loss"], dtype=float)
    validated = np.isfinite(val)  # the float pre-training validates sparsely before its last fifth
    ax.semilogy(epochs[validated], val[validated], label="validation", marker=".", markersize=3)
    if best_epoch >= 0:
        ax.axvline(best_epoch + 1, color="gray", linestyle=":", label="best (kept)")
    phases = history.get("phase", [])
    if "quantized" in phases:
        ax.axvspan(phases.index("quantized") + 0.5, len(phases) + 0.5, color="tab:orange", alpha=0.1,
                   label="quantization-aware")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE after warm-up")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def grid_windows(config: ModelConfig, n: int = 5, frequency_hz: float = 220.0):
    """Inputs (n*n, T, n_inputs), synthetic targets (n*n, T) and points for an n x n grid over the square
    at a fixed frequency; T is the warm-up plus two cycles, the last cycle is the one to show."""
    fs = config.sample_rate_hz
    period = int(round(fs / frequency_hz))
    length = config.receptive_field + 2 * period
    freq = np.full(length, float(frequency_hz))
    waves = synthesize(phase_from_frequency(freq, fs), freq, fs, ALL_WAVES)
    values = quantize_input(config, np.linspace(0.0, 1.0, n))
    points = [(e0, e1) for e1 in values[::-1] for e0 in values]  # rows top to bottom: e1 = 1 .. 0
    x = np.stack([make_inputs(config, waves["core"], e0, e1) for e0, e1 in points])
    y = np.stack([delayed(blend(waves, e0, e1), config.lookahead) for e0, e1 in points])
    return x, y, points, period


def plot_wavetable(config: ModelConfig, qmodel, fmodel, path: Path, n: int = 5, frequency_hz: float = 220.0) -> None:
    """One cycle per grid point: target, quantized QKeras model and float twin."""
    x, y, points, period = grid_windows(config, n, frequency_hz)
    yq = qmodel.predict(x, verbose=0)[..., 0]
    yf = fmodel.predict(x, verbose=0)[..., 0]
    plt = _pyplot()
    fig, axes = plt.subplots(n, n, figsize=(2.4 * n, 1.8 * n), sharex=True, sharey=True)
    t = np.arange(period) / config.sample_rate_hz * 1e3
    for idx, (ax, (e0, e1)) in enumerate(zip(axes.flat, points, strict=True)):
        ax.plot(t, y[idx, -period:], color="black", linewidth=1.5, label="target")
        ax.plot(t, yq[idx, -period:], color="tab:red", linewidth=1, label="quantized")
        ax.plot(t, yf[idx, -period:], color="tab:blue", linewidth=1, linestyle="--", label="float")
        ax.set_title(f"e0={e0:.2f} e1={e1:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=6, loc="lower right")
    fig.suptitle(f"one cycle at {frequency_hz:g} Hz across the embedding square (synthetic targets); "
                 f"corners: sine (0,0), ramp (0,1), square (1,1), zigzag (1,0)", fontsize=9)
    fig.supxlabel("ms")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_band_table(table: dict, path: Path, title: str) -> None:
    """A heat map of an SNR table (rows: octave bands, columns: waves), each cell annotated in dB; the
    colour scale is centred on 20 dB, the target every cell has to reach."""
    plt = _pyplot()
    rows = list(table)
    cols = [c for c in ("sine", "ramp", "square", "zigzag", "blend", "all") if any(c in table[r] for r in rows)]
    values = np.array([[table[r].get(c, np.nan) for c in cols] for r in rows], dtype=np.float64)
    fig, ax = plt.subplots(figsize=(1.2 * len(cols) + 2, 0.6 * len(rows) + 1.6))
    image = ax.imshow(values, cmap="RdYlGn", vmin=10, vmax=30, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if np.isfinite(values[i, j]):
                ax.text(j, i, f"{values[i, j]:.1f}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), [f"{r} Hz" for r in rows])
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, label="SNR (dB)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
