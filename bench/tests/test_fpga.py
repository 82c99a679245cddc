"""The bench's own yosys/nextpnr runs: a missing or failing tool is named with its log and the log's tail."""

from __future__ import annotations

import re
import sys

import pytest

from bench.fpga import FpgaBuildError, place_and_route
from bench.networks import DEVICES

VERILOG = "module network(input clk, output q); assign q = clk; endmodule\n"


def test_missing_yosys_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("YOSYS", str(tmp_path / "no-such-yosys"))
    with pytest.raises(FpgaBuildError, match=r"^yosys synth_ecp5 not found: '.*no-such-yosys' is not on PATH"):
        place_and_route(VERILOG, device=DEVICES["25f"], out_dir=tmp_path / "out", force=True)


def test_failing_yosys_names_its_log_and_shows_the_tail(tmp_path, monkeypatch):
    fake = tmp_path / "fake-yosys"
    fake.write_text(f"#!{sys.executable}\nimport sys\nargs = sys.argv[1:]\n"
                    "open(args[args.index('-l') + 1], 'w').write('reading\\nERROR: fake parse error in network.v\\n')\n"
                    "sys.exit(1)\n")
    fake.chmod(0o755)
    monkeypatch.setenv("YOSYS", str(fake))
    log = tmp_path / "out" / "synth.log"
    with pytest.raises(FpgaBuildError, match=rf"^yosys synth_ecp5 failed \(exit 1\); log {re.escape(str(log))}, "
                                             r"last lines:\nreading\nERROR: fake parse error in network.v\n"):
        place_and_route(VERILOG, device=DEVICES["25f"], out_dir=tmp_path / "out", force=True)
