"""The headline chain from a clean clone, stage by stage through each stage's own command: a smoke-trained
default model (``python -m train --smoke``) -> ``python -m quantize`` (fxpmath bit-exact, QKeras ties only)
-> ``python -m bitstream rtl`` for the ECPIX-5 -> ``python -m sim`` under Verilator and under Icarus (every sample
compared as integers, cycles per sample measured) -> ``python -m bitstream build`` (ECPIX-5 bitstream, timing
met). About 5 minutes on 2 cores, most of it place and route."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.tests.conftest import require

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rtl_dir(smoke_chain) -> Path:
    from bitstream.__main__ import main  # `make rtl`: the plan at the board's own clocks

    out = smoke_chain / "rtl"
    assert main(["rtl", "--weights", str(smoke_chain / "weights"), "--out", str(out), "--board", "ecpix5"]) == 0
    return out


def test_quantize_checked_the_smoke_model(smoke_chain):
    report = json.loads((smoke_chain / "quantize" / "report.json").read_text())
    assert report["fxpmath_samples_checked"] == 1024 and report["fxpmath_mismatches_per_layer"] == [0, 0, 0]
    assert report["per_layer_differences_off_tie"] == [0, 0, 0]
    assert max(report["per_layer_max_err_lsb_vs_qkeras"]) <= 1
    assert (smoke_chain / "weights" / "weights.npz").exists()


def test_rtl_for_the_board(rtl_dir):
    plan = json.loads((rtl_dir / "plan.json").read_text())
    # the ECPIX-5's 106.52 MHz network clock at its 192 046 Hz codec rate: 106 521 739 // 192 047 = 554 cycles
    assert plan["cycle_budget"] == 554 and plan["cycles_per_sample"] <= 554
    assert "module network(" in (rtl_dir / "network.v").read_text()


@pytest.mark.parametrize("simulator, samples, core_hz", [("verilator", 3000, 110.0), ("icarus", 300, 2000.0)])
def test_cocotb_bit_exact(smoke_chain, rtl_dir, simulator, samples, core_hz):
    """Icarus' short run plays a 2 kHz core (96 samples a period), so that the front end sees the core turn
    several times, not only the power-up transient."""
    require(simulator)
    from quantize.weights import QuantizedNetwork
    from sim.__main__ import main
    from sim.stimulus import embedding_sweep_codes

    out = smoke_chain / f"sim_{simulator}"
    args = ["--rtl", str(rtl_dir), "--weights", str(smoke_chain / "weights"), "--out", str(out),
            "--simulator", simulator, "--samples", str(samples), "--core-hz", str(core_hz)]
    if simulator == "verilator":
        args += ["--cxx-opt", "0"]
    assert main(args) == 0
    report = json.loads((out / "report.json").read_text())
    assert (report["samples_checked"], report["mismatches"], report["missing"]) == (samples, 0, 0)
    assert report["cycles_per_sample"] == report["plan_cycles_per_sample"] and report["core_hz"] == core_hz
    core = embedding_sweep_codes(QuantizedNetwork.load(smoke_chain / "weights").config, samples, core_hz)[:, 0]
    turns = int(np.sum(np.diff(np.sign(np.diff(core))) != 0))
    assert turns >= 5 if simulator == "icarus" else turns >= 2


def test_bitstream(smoke_chain):
    from bitstream.__main__ import main

    assert main(["build", "--board", "ecpix5", "--weights", str(smoke_chain / "weights"),
                 "--out", str(smoke_chain)]) == 0
    bitstream = smoke_chain / "ecpix5" / "top.bit"
    assert bitstream.stat().st_size > 100_000
    report = json.loads((smoke_chain / "ecpix5" / "report.json").read_text())
    assert report["timing_met"] is True
