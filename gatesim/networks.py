"""The networks ``make gatesim`` can take to gate level, each with the board whose plan it is built for.

* ``trained``: the trained weights of ``build/weights`` (what ``make`` puts on the board), on ``--board``.
* ``colorlight_i5``: the 25F boards' largest network (``configs/colorlight_i5.toml``) with random weights,
  planned for the Colorlight i5: its 19 lanes, 30 block RAMs and the front end.
* ``gaps``: a random network whose dilations leave gaps in the receptive field (each layer reads taps the
  layer before does not cover), on ``--board``.

Random weights include a share of full-scale codes, so that the extreme products and the saturation run
through the DSP blocks too.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import LayerConfig, ReceptiveFieldGapWarning, load_config

__all__ = ["NETWORKS", "NetworkChoice", "load_network"]

NETWORKS = ("trained", "colorlight_i5", "gaps")
#: Seed of the random weights.
SEED = 20_261_207


@dataclass(frozen=True)
class NetworkChoice:
    name: str
    net: object
    board: str


def load_network(name: str, *, weights: str | Path, board: str, root: Path = Path(".")) -> NetworkChoice:
    """The network ``name`` (one of :data:`NETWORKS`) and the board it is planned for. Raises
    ``FileNotFoundError`` / ``WeightsError`` / ``ValueError`` with a message for the user."""
    from quantize.weights import QuantizedNetwork, random_network

    rng = np.random.default_rng(SEED)
    if name == "trained":
        return NetworkChoice(name, QuantizedNetwork.load(weights), board)
    if name == "colorlight_i5":
        config = load_config(root / "configs" / "colorlight_i5.toml")
        return NetworkChoice(name, random_network(config, rng, scale=0.35, extremes=0.05), "colorlight_i5")
    if name == "gaps":
        base = load_config(root / "configs" / "default.toml")
        # covered span after layer 0: 1 + 1 = 2 samples, after layer 1: 2 + 6 = 8; dilations 3 and 8 leave gaps
        layers = (LayerConfig(6, 2, 1), LayerConfig(6, 3, 3), LayerConfig(1, 2, 8))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ReceptiveFieldGapWarning)
            config = dataclasses.replace(base, layers=layers, name="gaps")
        return NetworkChoice(name, random_network(config, rng, scale=1.0, extremes=0.05), board)
    raise ValueError(f"unknown network {name!r}; choose one of {', '.join(NETWORKS)}")
