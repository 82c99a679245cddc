"""Build flow: early, clear failures (sample rate, PlanError, weights) before any tool runs, and one
CI-sized real bitstream build (a small random network on the default board) that must meet timing."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from boards.__main__ import main
from boards.build import BuildError, build_board
from boards.plan import plan_for_board, reserved_multipliers
from boards.registry import get_board
from common.config import LayerConfig
from quantize.weights import random_network
from rtl.plan import Plan

from .helpers import small_config


def test_reserved_multipliers():
    # 3 scaled inputs (core, e0, e1; the spare is constant), 1 network output, 2 calibration blocks.
    assert reserved_multipliers(small_config()) == 6


def test_plan_uses_the_real_clocks():
    board = get_board("ecpix5")
    plan = plan_for_board(small_config(), board)
    assert plan.clock_hz == 91_304_347 and plan.sample_rate_hz == 192_047
    assert plan.cycle_budget == 91_304_347 // 192_047


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
    assert (plan.clock_hz, plan.sample_rate_hz) == (91_304_347, 192_047)
    assert "module network(" in (tmp_path / "rtl" / "network.v").read_text()
    assert "cycles per sample" in capsys.readouterr().out


def test_rtl_overrides_single_figures(tmp_path):
    cfg = small_config()
    random_network(cfg, np.random.default_rng(4)).save(tmp_path / "weights")
    args = ["rtl", "--board", "colorlight_i5", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path),
            "--clock-hz", "50000000", "--multipliers", "3"]
    assert main(args) == 0
    plan = Plan.from_json(tmp_path / "plan.json")
    # The board's codec runs at 191 761.4 Hz, under the trained 192 kHz: the faster of the two is planned.
    assert (plan.clock_hz, plan.sample_rate_hz) == (50_000_000, 192_000)
    assert plan.multipliers <= 3


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
def test_real_build_meets_timing(tmp_path):
    cfg = small_config()
    net = random_network(cfg, np.random.default_rng(5))
    result = build_board("ecpix5", net, out_root=tmp_path, progress=lambda *_: None)
    assert result.bitstream.is_file() and result.bitstream.stat().st_size > 100_000
    report = json.loads(result.report_path.read_text())
    assert report["timing_met"] is True
    assert set(report["clocks"]) == {"sync", "audio"}
    assert report["clocks"]["sync"]["target_mhz"] == pytest.approx(91.30, abs=0.02)
    assert report["clocks"]["audio"]["target_mhz"] == pytest.approx(49.16, abs=0.02)
    for name in ("TRELLIS_COMB", "TRELLIS_FF", "MULT18X18D"):
        assert 0 < report["utilisation"][name]["used"] < report["utilisation"][name]["available"]
    assert report["utilisation"]["DP16KD"]["available"] == 208  # the tiny net's caches may all be LUT RAM
    assert report["utilisation"]["EHXPLLL"]["used"] == 1
    assert report["cycles_per_sample"] <= report["cycle_budget"] == 475
    assert report["sample_rate_hz"] == pytest.approx(192_046.4, abs=0.1)
    assert 0 < report["build_seconds"] < 600


_FAKE_TOOL = """#!{python}
# A stand-in for {tool}, run by amaranth's build script: writes the log and the product a real run writes.
import pathlib
import sys

args = sys.argv[1:]
def after(flag):
    return args[args.index(flag) + 1] if flag in args else None
log = after({log_flag!r})
if log:
    pathlib.Path(log).write_text({log_text!r})
if {fail!r}:
    print("ERROR: {tool} stopped (fake failure)", file=sys.stderr)
    sys.exit(3)
product = after({product_flag!r}) or args[-1].replace(".ys", ".json")
pathlib.Path(product).write_bytes(b"fake")
"""


def _fake_toolchain(monkeypatch, tmp_path, nextpnr_log, fail=None):
    """Point YOSYS, NEXTPNR_ECP5 and ECPPACK at fake tools (the design is still fully elaborated into
    RTLIL for the board): yosys and nextpnr write a log, nextpnr's is ``nextpnr_log``; ``fail`` names the
    one that exits 3 after writing its log (ecppack has none: it only prints an error)."""
    import sys

    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    tools = {"yosys": ("YOSYS", "-l", "yosys log\nERROR: yosys line 42: fake synthesis error\n", None),
             "nextpnr-ecp5": ("NEXTPNR_ECP5", "--log", nextpnr_log, "--textcfg"),
             "ecppack": ("ECPPACK", None, "", "--bit")}
    for tool, (var, log_flag, log_text, product_flag) in tools.items():
        path = bin_dir / f"fake-{tool}"
        path.write_text(_FAKE_TOOL.format(python=sys.executable, tool=tool, log_flag=log_flag, log_text=log_text,
                                          fail=tool == fail, product_flag=product_flag))
        path.chmod(0o755)
        monkeypatch.setenv(var, str(path))


def test_each_failing_tool_is_named_with_its_log_and_tail(tmp_path, monkeypatch):
    """yosys, nextpnr-ecp5 or ecppack exits with an error: the BuildError names that tool, the path of its
    log and the log's last lines (ecppack: the build's console log, which holds its error message)."""
    from .test_report import LOG

    net = random_network(small_config(), np.random.default_rng(0))
    expected = {"yosys": ("top.rpt", "ERROR: yosys line 42: fake synthesis error"),
                "nextpnr-ecp5": ("top.tim", LOG.strip().splitlines()[-1]),
                "ecppack": ("top.console.log", "ERROR: ecppack stopped (fake failure)")}
    for tool, (log, tail) in expected.items():
        _fake_toolchain(monkeypatch, tmp_path, LOG, fail=tool)
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
    from .test_report import LOG

    _fake_toolchain(monkeypatch, tmp_path, LOG)  # sync: 88.02 MHz FAIL at 91.31 MHz
    net = random_network(small_config(), np.random.default_rng(0))
    with pytest.raises(BuildError, match=r"timing not met on ecpix5 \(sync: 88.02 MHz < 91.31 MHz\)"):
        build_board("ecpix5", net, out_root=tmp_path, progress=lambda *_: None)
    assert "EHXPLLL" in (tmp_path / "ecpix5" / "top.il").read_text()  # the board's real top level, PLL included
    report = json.loads((tmp_path / "ecpix5" / "report.json").read_text())  # written before failing
    assert report["timing_met"] is False and report["clocks"]["sync"]["met"] is False
    result = build_board("ecpix5", net, out_root=tmp_path, allow_timing_fail=True, progress=lambda *_: None)
    assert result.report["timing_met"] is False
    net.save(tmp_path / "weights")
    args = ["build", "--weights", str(tmp_path / "weights"), "--out", str(tmp_path)]
    assert main(args) == 1 and "--allow-timing-fail" in capsys.readouterr().err
    assert main([*args, "--allow-timing-fail"]) == 0
    assert "timing NOT MET" in capsys.readouterr().out
