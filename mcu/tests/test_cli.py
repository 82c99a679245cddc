"""``python -m mcu``: bad input is refused with a specific message before any work; the firmware and
flash commands check everything they need (libDaisy checkout, sample rate, measured budget, tools) first."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import mcu.firmware as firmware
from common.config import load_config
from mcu.__main__ import main, parse_args
from mcu.budget import probe_network
from mcu.firmware import FirmwareError, build_firmware, check_libdaisy, check_rate, flash_firmware
from mcu.generate import generate_c
from mcu.tools import weights_digest

FIRMWARE = Path(__file__).resolve().parents[1] / "firmware"


def _weights(tmp_path: Path, sample_rate_hz: int = 96_000) -> tuple[Path, object]:
    config = load_config("configs/default.toml").replace(sample_rate_hz=sample_rate_hz)
    net = probe_network(config)
    net.save(tmp_path / "weights")
    return tmp_path / "weights", net


def _libdaisy(tmp_path: Path, built: bool = True) -> Path:
    root = tmp_path / "libDaisy"
    (root / "core").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "core" / "Makefile").write_text("# stand-in\n")
    (root / "src" / "daisy_patch.h").write_text("// stand-in\n")
    if built:
        (root / "build").mkdir()
        (root / "build" / "libdaisy.a").write_bytes(b"")
    return root


def test_missing_weights_are_refused(tmp_path, capsys):
    assert main(["--weights", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    assert "cannot load weights" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["--host-samples", "--target-samples"])
def test_sample_counts_must_be_positive(option, capsys):
    with pytest.raises(SystemExit):
        parse_args(["report", option, "0"])
    assert f"must be a positive integer (e.g. {option}=" in capsys.readouterr().err


def test_report_is_the_default_command():
    assert parse_args([]).command == "report" and parse_args(["--out", "x"]).command == "report"


def test_firmware_without_libdaisy_dir(tmp_path):
    weights, net = _weights(tmp_path)
    with pytest.raises(FirmwareError, match=r"LIBDAISY_DIR is not set: get libDaisy v8\.1\.0"):
        build_firmware(net, weights, None, tmp_path / "out")


def test_libdaisy_dir_checks(tmp_path):
    with pytest.raises(FirmwareError, match="is not a directory"):
        check_libdaisy(tmp_path / "missing")
    with pytest.raises(FirmwareError, match="is not a libDaisy checkout"):
        check_libdaisy(tmp_path)
    with pytest.raises(FirmwareError, match=r"not built yet \(no build/libdaisy\.a\): run `make -C"):
        check_libdaisy(_libdaisy(tmp_path, built=False))


def test_libdaisy_dir_accepted(tmp_path):
    assert check_libdaisy(_libdaisy(tmp_path)) == (tmp_path / "libDaisy").resolve()


def test_the_rate_must_be_one_the_daisy_runs_at():
    check_rate(48_000)
    check_rate(96_000)
    with pytest.raises(FirmwareError, match=r"trained for 192000 Hz, but the Daisy's codec runs at 48 kHz or 96 kHz"):
        check_rate(192_000)


def test_firmware_for_a_192khz_model_is_refused_before_the_build(tmp_path):
    weights, net = _weights(tmp_path, 192_000)
    with pytest.raises(FirmwareError, match="trained for 192000 Hz"):
        build_firmware(net, weights, _libdaisy(tmp_path), tmp_path / "out")


def test_firmware_needs_the_measured_budget(tmp_path):
    weights, net = _weights(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(FirmwareError, match="report.json is missing or unreadable: run `make mcu` first"):
        build_firmware(net, weights, _libdaisy(tmp_path), out)
    report = {"network": {"weights_sha256": "0" * 64}, "cortex_m7": {"instructions_per_sample": 1800.0}}
    (out / "report.json").write_text(json.dumps(report))
    with pytest.raises(FirmwareError, match="belongs to other weights"):
        build_firmware(net, weights, tmp_path / "libDaisy", out)
    report["network"]["weights_sha256"] = weights_digest(weights)
    report["cortex_m7"]["instructions_per_sample"] = 2600.0
    (out / "report.json").write_text(json.dumps(report))
    with pytest.raises(FirmwareError, match=r"needs 2600 instructions per sample, more than 50% of the 5000 cycles"):
        build_firmware(net, weights, tmp_path / "libDaisy", out)


def test_flash_needs_the_binary_and_dfu_util(tmp_path, monkeypatch):
    with pytest.raises(FirmwareError, match=r"does not exist: run `make mcu-firmware LIBDAISY_DIR=\.\.\.` first"):
        flash_firmware(tmp_path)
    binary = firmware.firmware_binary(tmp_path)
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"\0")
    monkeypatch.setattr(firmware.shutil, "which", lambda name: None)
    with pytest.raises(FirmwareError, match="dfu-util is not installed; on Debian: apt-get install dfu-util"):
        flash_firmware(tmp_path)


def test_the_firmware_uses_only_what_the_header_defines():
    """Every WS_ name the Daisy program uses is defined by the generated header (for a network that uses
    e0 and e1), and it calls the generated API."""
    config = load_config("configs/default.toml").replace(sample_rate_hz=96_000)
    header = generate_c(probe_network(config)).header
    defined = set(re.findall(r"#define (WS_\w+)", header)) | set(re.findall(r"\b(ws_\w+)\(", header)) | {"ws_code_t"}
    program = (FIRMWARE / "waveshaper_patch.cpp").read_text()
    used = set(re.findall(r"\b(WS_\w+)", program)) | set(re.findall(r"\b(ws_\w+)\(", program))
    assert used - defined == set()
    assert {"ws_init", "ws_process"} <= used
    assert "libDaisy v8.1.0" in program and "VERIFIED ON PAPER" in program
    assert "LIBDAISY_DIR" in (FIRMWARE / "Makefile").read_text()



@pytest.mark.slow
def test_the_report(trained_weights, tmp_path, capsys):
    """`make mcu`'s command end to end (shorter signals): the report holds the host, Cortex-M7 and budget figures,
    with 0 mismatches."""
    from .conftest import require_host_compiler, require_target

    require_host_compiler()
    require_target()
    out = tmp_path / "mcu"
    assert main(["report", "--weights", str(trained_weights), "--out", str(out), "--host-samples", "4000",
                 "--target-samples", "1000"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert (report["host"]["samples_checked"], report["host"]["mismatches"]) == (4000, 0)
    m7 = report["cortex_m7"]
    assert (m7["samples_checked"], m7["mismatches"]) == (1000, 0)
    assert m7["calibration"]["loop_instructions_counted"] == m7["calibration"]["loop_instructions_expected"]
    assert 0 < m7["instructions_per_sample"] and m7["text_bytes"] > 0 and m7["ram_bytes"] > 0
    rates = report["budget"]["rates"]
    assert rates["96000"]["cycles_per_sample"] == 5000 and rates["48000"]["cycles_per_sample"] == 10000
    assert rates["96000"]["share"] == pytest.approx(m7["instructions_per_sample"] / 5000, abs=1e-4)
    assert "not cycles" in report["budget"]["note"] and "no board" in report["budget"]["note"]
    largest = report["largest_at_48k"]
    assert [p["filters"] for p in largest["probes"]] == [16, 32, 48]
    assert all(p["mismatches"] == 0 for p in largest["probes"])
    assert 16 < largest["half_budget"]["filters"] <= largest["whole_budget"]["filters"]
    assert (out / "waveshaper.h").exists() and (out / "waveshaper.c").exists()
    assert "wrote" in capsys.readouterr().out
