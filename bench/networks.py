"""The bench set: which networks are built as full board bitstreams, on which boards.

Every row is what ``make bitstream`` makes for that board and config: the codec driver, the scaling, the
network in its own clock domain, placed and routed with the board's pins and clocks
(``bitstream.build.build_board``), with random weights (weights change the block RAM contents, not the
design: ``bitstream/template.py``). The set spans the prototype's size to the largest network each board
holds:

==============  ==========================  =======  ================  ==================================
name            config                      params   board             why
==============  ==========================  =======  ================  ==================================
default         configs/default.toml        1,441    colorlight_i5     the prototype-size network on a 25F
default         configs/default.toml        1,441    ecpix5            ... and on the 85F
colorlight_i5   configs/colorlight_i5.toml  9,057    colorlight_i5     the largest network for a 25F
ecpix5          configs/ecpix5.toml         50,945   ecpix5            the largest network for the 85F
==============  ==========================  =======  ================  ==================================

(The parameter counts follow the configs; ``bench/tests/test_networks.py`` checks the order and the
targets, not these figures.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import ModelConfig, load_config

__all__ = ["BUILDS", "BenchBuild", "bench_network", "build_dir"]

#: Seed of the random weights the bench builds with.
WEIGHT_SEED = 2026
#: Where the bench's board builds (and their routed templates) live, one directory per row.
BUILD_ROOT = Path("build/bench/boards")


@dataclass(frozen=True)
class BenchBuild:
    """One row: ``config_path`` built for ``board``."""

    config_path: str
    board: str

    @property
    def config(self) -> ModelConfig:
        return load_config(self.config_path)

    @property
    def name(self) -> str:
        return Path(self.config_path).stem

    @property
    def key(self) -> str:
        """The row's name in the report: ``<config>@<board>``."""
        return f"{self.name}@{self.board}"


BUILDS: tuple[BenchBuild, ...] = (
    BenchBuild("configs/default.toml", "colorlight_i5"),
    BenchBuild("configs/default.toml", "ecpix5"),
    BenchBuild("configs/default.toml", "tiliqua"),
    BenchBuild("configs/colorlight_i5.toml", "colorlight_i5"),
    BenchBuild("configs/colorlight_i5.toml", "tiliqua"),
    BenchBuild("configs/ecpix5.toml", "ecpix5"),
)


def bench_network(build: BenchBuild):
    """The row's network with fixed random weights."""
    from quantize.weights import random_network

    return random_network(build.config, np.random.default_rng(WEIGHT_SEED))


def build_dir(build: BenchBuild) -> Path:
    """The ``out_root`` of the row's board build: ``build/bench/boards/<config>/<board>/``."""
    return BUILD_ROOT / build.name
