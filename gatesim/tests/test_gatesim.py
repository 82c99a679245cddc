"""The mapped netlist of the default network, bit-exact at gate level under both simulators, and the
mutations of its multiplier instances caught; the synthesis is the board build's; bad input is named."""

from __future__ import annotations

import json
import re

import pytest

from gatesim.__main__ import main
from gatesim.mutations import MUTATIONS, MutationError, mutate
from gatesim.netlist import yosys_script
from sim.tests.conftest import require


def test_the_synthesis_script_is_the_board_builds(tmp_path):
    """Every command of amaranth's ECP5 yosys script, rendered with the board build's overrides, is in the
    gate-level synthesis script, in the same order; the netlist is written after nextpnr's JSON."""
    from amaranth.hdl import Module

    from boards.registry import get_board
    from boards.toolchain.runner import NEXTPNR_OPTIONS, yosys_overrides

    platform = get_board("ecpix5").platform()
    plan = platform.build(Module(), name="top", build_dir=str(tmp_path), do_build=False, nextpnr_opts=NEXTPNR_OPTIONS,
                          **yosys_overrides("top"))
    board_lines = [line.strip() for line in plan.files["top.ys"].splitlines()
                   if line.strip() and not line.strip().startswith("#")]
    ours = yosys_script("top").splitlines()
    assert board_lines == ours[:len(board_lines)]
    assert ours[len(board_lines):] == ["write_verilog -noattr top_netlist.v"]


NETLIST = """module network(clk);
  input clk;
  MULT18X18D #(
    .REG_OUTPUT_CLK("CLK0"),
    .REG_OUTPUT_RST("RST0")
  ) \\lane.mult  (
    .A14(\\x [14]),
    .A15(\\x [15]),
    .A16(\\x [15]),
    .A17(\\x [15]),
    .P0(\\p [0]),
    .P1(\\p [1]),
    .P35(\\p [35]),
    .SIGNEDA(1'h1),
    .SIGNEDB(1'h1)
  );
  MULT18X18D #(
    .REG_OUTPUT_CLK("NONE")
  ) inferred (
    .A16(\\y [15]),
    .A17(\\y [15]),
    .SIGNEDA(1'h1)
  );
endmodule
"""


@pytest.mark.parametrize("name, removed, added", [
    ("signeda_low", [".SIGNEDA(1'h1),"], [".SIGNEDA(1'h0),"]),
    ("no_output_register", ['.REG_OUTPUT_CLK("CLK0"),'], ['.REG_OUTPUT_CLK("NONE"),']),
    ("product_one_bit_off", [".P0(\\p [0]),", ".P35(\\p [35]),"], [".P2(\\p [1]),"]),
    ("sign_extension_dropped", [".A16(\\x [15]),", ".A17(\\x [15]),"], [".A16(1'h0),", ".A17(1'h0),"]),
])
def test_each_mutation_edits_only_the_multiplier_components_instances(name, removed, added):
    mutated = mutate(NETLIST, name)
    before, after = NETLIST.splitlines(), mutated.splitlines()
    gone = [line.strip() for line in before if line not in after]
    new = [line.strip() for line in after if line not in before]
    assert set(removed) <= set(gone) and set(added) <= set(new)
    assert mutated.split("inferred")[1] == NETLIST.split("inferred")[1]  # yosys' own product is left alone


def test_a_mutation_that_finds_nothing_says_so():
    with pytest.raises(MutationError, match="found no MULT18X18D instance of rtl/multiplier.py"):
        mutate(NETLIST.replace('"CLK0"', '"NONE"'), "signeda_low")
    with pytest.raises(MutationError, match="unknown mutation 'flip'"):
        mutate(NETLIST, "flip")


@pytest.mark.parametrize("argv, message", [
    (["--network", "huge"], "invalid choice: 'huge'"),
    (["--samples", "0"], "--samples must be at least 1"),
    (["--samples", "many"], "not a whole number: 'many'"),
    (["--network", "gaps", "--network", "gaps"], "--network given twice"),
])
def test_bad_arguments_are_named(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_missing_weights_and_unknown_board_are_named_before_synthesis(tmp_path, capsys):
    assert main(["--weights", str(tmp_path / "none"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "run `make quantize` first" in err and "Traceback" not in err
    assert main(["--network", "gaps", "--board", "nosuchboard", "--out", str(tmp_path / "out")]) == 2
    assert "unknown board 'nosuchboard'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_the_default_network_is_bit_exact_at_gate_level(trained_weights, tmp_path):
    """What ``make test`` runs of ``make gatesim``: the trained (or smoke-trained) default network's netlist
    for the ECPIX-5 under Verilator (1,000 samples) and Icarus (20), and the four mutations under Verilator."""
    from bitstream.plan import plan_for_board
    from boards.registry import get_board
    from quantize.weights import QuantizedNetwork

    require("verilator")
    require("icarus")
    assert main(["--weights", str(trained_weights), "--samples", "1000", "--icarus-samples", "20",
                 "--mutation-samples", "150", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    (entry,) = report["networks"]
    config = QuantizedNetwork.load(trained_weights).config
    plan = plan_for_board(config, get_board("ecpix5"))
    runs = {run["simulator"]: run for run in entry["runs"]}
    for simulator, samples in (("verilator", 1000), ("icarus", 20)):
        run = runs[simulator]
        assert run["samples_checked"] == samples and run["mismatches"] == 0 and run["missing"] == 0
        assert run["cycles_per_sample"] == plan.signal_path_cycles
    # the netlist holds the hard blocks the plan counts: a MULT18X18D per lane and per front-end product
    # (instantiated), the block RAMs of the estimate; and the fabric cells
    cells = entry["cells"]
    assert cells["MULT18X18D"] == plan.multipliers + plan.front_end_multipliers
    assert cells["DP16KD"] == plan.estimate.network.block_rams
    assert cells["LUT4"] > 500 and cells["TRELLIS_FF"] > 1000
    netlist = (tmp_path / "trained" / "netlist" / "network_netlist.v").read_text()
    assert len(re.findall(r'REG_OUTPUT_CLK\("CLK0"\)', netlist)) == plan.multipliers + plan.front_end_multipliers
    # every mutation of the multiplier instances fails the comparison
    assert set(entry["mutations"]) == set(MUTATIONS)
    for name, result in entry["mutations"].items():
        assert result["caught"] and result["mismatches"] > 0, name


def test_a_short_run_measures_its_cycles_over_its_last_intervals():
    """Icarus' 20 samples are too few for the stream's steady-state rule; the last 8 intervals then speak,
    and only when they agree."""
    from types import SimpleNamespace

    import numpy as np

    from gatesim.__main__ import measured_cycles

    def result(intervals, steady=None):
        return SimpleNamespace(cycles_per_sample=steady, stream=SimpleNamespace(interval=np.array(intervals)))

    filling = [456] * 7 + [520] * 13
    assert measured_cycles(result(filling)) == 520
    assert measured_cycles(result(filling, steady=520)) == 520
    assert measured_cycles(result(filling[:-1] + [519])) is None
    assert measured_cycles(result([520] * 15)) is None  # too short to tell a full pipeline
