"""The generated Verilog has the documented ports, and ``python -m rtl`` writes network.v + plan.json."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig, load_config
from quantize.weights import random_network
from rtl.__main__ import main
from rtl.generate import generate_verilog
from rtl.plan import Plan, make_plan


def _top_ports(verilog: str, name: str) -> dict[str, tuple[str, int]]:
    module = verilog[verilog.index(f"module {name}("):]
    module = module[:module.index("endmodule")]
    ports = {}
    for direction, width, port in re.findall(r"^\s*(input|output)\s+(?:\[(\d+):0\]\s+)?(\w+);", module, re.M):
        ports[port] = (direction, int(width) + 1 if width else 1)
    return ports


@pytest.mark.parametrize("debug", [False, True])
def test_documented_ports(debug):
    cfg = ModelConfig(layers=[LayerConfig(3, 2, 1), LayerConfig(2, 2, 2)], inputs=("core", "e0"))
    net = random_network(cfg, np.random.default_rng(0))
    plan = make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=4)
    ports = _top_ports(generate_verilog(net, plan, name="dut", debug=debug), "dut")
    w = cfg.data_format.width
    expected = {
        "clk": ("input", 1), "rst": ("input", 1),
        "i__valid": ("input", 1), "i__ready": ("output", 1), "i__payload": ("input", 2 * w),
        "o__valid": ("output", 1), "o__ready": ("input", 1), "o__payload": ("output", 2 * w),
    }
    if debug:
        expected |= {"layer0__valid": ("output", 1), "layer0__payload": ("output", 3 * w),
                     "layer1__valid": ("output", 1), "layer1__payload": ("output", 2 * w)}
    assert ports == expected


def test_no_external_memory_files():
    cfg = ModelConfig(layers=[LayerConfig(2, 2, 1), LayerConfig(1, 2, 2)])
    net = random_network(cfg, np.random.default_rng(1))
    verilog = generate_verilog(net, make_plan(cfg, clock_hz=10**8, sample_rate_hz=10**5, multipliers=4))
    assert "$readmem" not in verilog


def test_cli_writes_verilog_and_plan(tmp_path, capsys):
    cfg = load_config("configs/default.toml")
    random_network(cfg, np.random.default_rng(2)).save(tmp_path / "weights")
    code = main(["--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "rtl"),
                 "--clock-hz", "100000000", "--sample-rate", "192000", "--multipliers", "20"])
    assert code == 0
    plan = Plan.from_json(tmp_path / "rtl" / "plan.json")
    assert plan == make_plan(cfg, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=20)
    assert "module network(" in (tmp_path / "rtl" / "network.v").read_text()
    assert "cycles per sample" in capsys.readouterr().out


def test_cli_refuses_impossible_plan_before_writing(tmp_path):
    cfg = load_config("configs/default.toml")
    random_network(cfg, np.random.default_rng(3)).save(tmp_path / "weights")
    result = subprocess.run(
        [sys.executable, "-m", "rtl", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "rtl"),
         "--clock-hz", "1000000", "--multipliers", "2"],
        capture_output=True, text=True, cwd=".")
    assert result.returncode != 0
    assert "sample rate <=" in result.stderr
    assert not (tmp_path / "rtl" / "network.v").exists()


def test_accumulator_registers_have_the_hand_computed_widths():
    """The default network's generated accumulators: 36 bits in layer 0, 38 in layers 1 and 2 (worked out
    by hand in common/tests/test_config.py; layer 0's 4 taps x 5 inputs = 20 products reach at most
    20 * 2**30 + (2**15 - 1) * 2**12 + 2**11 < 2**35, still 36 bits), in every lane of the 100 MHz /
    192 kHz plan (lanes 1, 2, 1): each lane is a module of its own (rtl/lane.py)."""
    cfg = load_config("configs/default.toml")
    net = random_network(cfg, np.random.default_rng(5))
    plan = make_plan(cfg, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=8)
    verilog = generate_verilog(net, plan)
    widths = {}
    for module in re.split(r"^module ", verilog, flags=re.M)[1:]:
        name = module.split("(")[0].strip()
        for msb in re.findall(r"^\s*reg (?:signed )?\[(\d+):0\] acc\b", module, re.M):
            widths[name] = int(msb) + 1
    # the front end sits above the network in the generated hierarchy (rtl/waveshaper.py)
    assert widths == {"\\network.network.layer0.lane0": 36, "\\network.network.layer1.lane0": 38,
                      "\\network.network.layer1.lane1": 38, "\\network.network.layer2.lane0": 38}
