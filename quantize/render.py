"""Listen to the network: the golden model's output for a sweep across the embedding square.

The embedding CVs ``e0``/``e1`` select the waveshape (0..1 each, i.e. 0..5 V at the jack). The sweep
plays the core wave while the CVs raster-scan the square, and the WAV file holds the network output on
the first channel and the core wave on the second, both as raw data-format codes in int16 (FP4.12: 1.0
is 4096, so the file is exact and never clips).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.io import wavfile

from common.config import ModelConfig

from .golden import run_batch
from .weights import QuantizedNetwork

__all__ = ["embedding_sweep", "render_sweep"]


def embedding_sweep(config: ModelConfig, seconds: float) -> tuple[np.ndarray, str]:
    """The training stage's sweep through the embedding square (``train.dataset.embedding_sweep``), float32
    (T, n_inputs), and where it came from."""
    from train.dataset import embedding_sweep as train_sweep

    return np.asarray(train_sweep(config, seconds), dtype=np.float32), "train.dataset.embedding_sweep"


def render_sweep(network: QuantizedNetwork, path: str | Path, *, seconds: float = 4.0) -> dict:
    """Write the stereo int16 WAV (output, core wave) at the config's sample rate; return a summary."""
    cfg = network.config
    if cfg.data_format.width > 16:
        raise ValueError(f"{cfg.data_format} codes do not fit a 16-bit WAV")
    x, source = embedding_sweep(cfg, seconds)
    fmt = cfg.data_format
    codes = fmt.to_codes(x)
    output = run_batch(network, codes).output[:, 0]
    core = codes[:, cfg.inputs.index("core")]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wavfile.write(path, cfg.sample_rate_hz, np.stack([output, core], axis=1).astype(np.int16))
    return {"path": str(path), "seconds": len(codes) / cfg.sample_rate_hz, "sample_rate_hz": cfg.sample_rate_hz,
            "channels": ["golden output", "core wave input"], "sweep_source": source,
            "output_peak_code": int(np.abs(output).max(initial=0))}
