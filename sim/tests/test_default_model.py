"""The trained default model (``build/weights`` from ``make quantize``, or on a clean clone the smoke-trained
one of the ``smoke_chain`` fixture) on a short sweep through the embedding square at its sample rate, and the
``python -m sim`` command line on a small network."""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from quantize.weights import QuantizedNetwork, random_network
from sim.check import check_network

from .conftest import require
from .helpers import assert_bit_exact

pytestmark = pytest.mark.slow

def _board_plan(config):
    """A plan at a board-like operating point: a 100 MHz network clock on the ECPIX-5's part."""
    from common.devices import ecp5_device
    from rtl.plan import make_plan

    return make_plan(config, clock_hz=100_000_000, sample_rate_hz=config.sample_rate_hz,
                     multipliers=ecp5_device("LFE5UM5G-85F", "CABGA554", 8).multipliers)


def test_trained_default_model_on_the_embedding_sweep(tmp_path, trained_weights):
    require("verilator")
    from sim.stimulus import embedding_sweep_codes

    net = QuantizedNetwork.load(trained_weights)
    plan = _board_plan(net.config)
    codes = embedding_sweep_codes(net.config, 4000)  # a short run; `make sim` checks a whole second
    result = check_network(net, plan, codes, tmp_path, serial=True, serial_samples=300, cxx_opt="0")
    assert_bit_exact(result)


def test_cli_writes_report_and_wav(tmp_path):
    require("verilator")
    from common.config import LayerConfig, ModelConfig
    from rtl.generate import generate_verilog
    from sim.__main__ import main

    config = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 2)), name="cli")
    net = random_network(config, np.random.default_rng(9))
    net.save(tmp_path / "weights")
    plan = _board_plan(config)
    (tmp_path / "rtl").mkdir()
    (tmp_path / "rtl" / "network.v").write_text(generate_verilog(net, plan))
    plan.to_json(tmp_path / "rtl" / "plan.json")
    args = ["--rtl", str(tmp_path / "rtl"), "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "out"),
            "--samples", "3000", "--cxx-opt", "0"]
    assert main(args) == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["samples_checked"] == 3000 and report["mismatches"] == 0
    assert report["first_divergence"] is None
    assert report["cycles_per_sample"] == plan.cycles_per_sample
    assert report["simulator"] == "verilator" and report["samples_per_second"] > 0
    with wave.open(str(tmp_path / "out" / "output.wav")) as f:
        assert (f.getnframes(), f.getframerate()) == (3000, config.sample_rate_hz)


def test_cli_refuses_missing_inputs_before_work(tmp_path, capsys):
    from sim.__main__ import main

    assert main(["--rtl", str(tmp_path / "nothing"), "--out", str(tmp_path / "out")]) == 2
    assert "make rtl" in capsys.readouterr().err
