"""Session-wide fixtures shared by the stage tests and the headline chain (``tests/``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def smoke_chain(tmp_path_factory) -> Path:
    """The first two stages of the pipeline, run for real on the default config: a smoke training
    (``python -m train --smoke``, seconds) and ``python -m quantize`` (fxpmath and QKeras checks included).
    Returns the directory holding ``train/``, ``weights/`` and ``quantize/``."""
    from quantize.__main__ import main as quantize
    from train.__main__ import main as train

    root = tmp_path_factory.mktemp("smoke_chain")
    assert train(["--config", "configs/default.toml", "--smoke", "--out", str(root / "train"), "--quiet"]) == 0
    assert quantize(["--model-dir", str(root / "train"), "--out", str(root / "weights"), "--report-dir",
                     str(root / "quantize"), "--sweep-seconds", "0.05", "--fxpmath-samples", "1024"]) == 0
    return root


@pytest.fixture(scope="session")
def trained_weights(request) -> Path:
    """``build/weights`` when ``make quantize`` has run here, else the smoke-trained weights: the trained
    model's checks run on a clean clone too."""
    built = Path("build/weights")
    if (built / "weights.npz").exists():
        return built
    return request.getfixturevalue("smoke_chain") / "weights"
