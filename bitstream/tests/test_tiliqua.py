"""The waveshaper on Tiliqua R5: its plan at the board's network clock, what it tells the bootloader's
archive (menu name, brief, jack labels), and its build with the archive beside the bitstream (a canned
nextpnr log, and one real build, slow). The platform's side (pins, clocks, the archive format, flashing)
is tested in ``boards/tests/test_tiliqua.py``, ``boards/clocking/tests/`` and ``boards/tiliqua/tests/``."""

from __future__ import annotations

import json
import tarfile

import numpy as np
import pytest

from bitstream.archive import archive_fields, jack_labels
from bitstream.build import BuildError, build_board
from bitstream.plan import plan_for_board
from boards.registry import get_board
from boards.tiliqua.archive import crc32_bzip2
from quantize.weights import random_network

from .helpers import fake_toolchain, small_config


def read_archive(path):
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        return members, {name: tar.extractfile(m).read() for name, m in members.items()}


def test_network_plan_at_the_network_clock():
    # the network runs on the PLL's CLKOS2 (boards/clocking/tests/test_external_audio.py, the same VCO):
    # 105 MHz / 192 kHz = 546.9 cycles
    plan = plan_for_board(small_config(), get_board("tiliqua"))
    assert (plan.clock_hz, plan.sample_rate_hz, plan.cycle_budget) == (105_000_000, 192_000, 546)


def test_what_the_bootloader_shows():
    fields = archive_fields(small_config())
    assert fields["name"] == "WAVESHAPER-BOARDS_TEST" and len(fields["brief"]) <= 64
    labels = fields["jack_labels"]
    assert labels[:4] == ["core wave in", "CV e0 0..5V", "CV e1 0..5V", ""]
    assert labels[4:] == ["shaped out", "dry core out", "", ""]
    assert jack_labels(small_config()) == labels
    get_board("tiliqua").archive.check(**fields)      # the bootloader's limits hold


def test_build_refuses_a_name_the_bootloader_cannot_show_before_synthesis(tmp_path):
    net = random_network(small_config(name="n" * 40), np.random.default_rng(0))
    with pytest.raises(BuildError, match="tiliqua: the bitstream archive would be refused: name:"):
        build_board("tiliqua", net, out_root=tmp_path, progress=lambda *_: None)
    assert not (tmp_path / "tiliqua").exists()


def test_build_writes_the_archive_beside_the_bitstream(tmp_path, monkeypatch):
    """The flow with a canned nextpnr log (the platform is elaborated for real; fake tools write the products,
    ``helpers.fake_toolchain``)."""

    log = ("Info: Device utilisation:\nInfo:      TRELLIS_COMB:  1000/24288   4%\n"
           "Info:        MULT18X18D:     8/   28  28%\n\n"
           "Info: Max frequency for clock '$glbnet$clk_sync': 110.00 MHz (PASS at 90.01 MHz)\n"
           "Info: Max frequency for clock '$glbnet$audio_clock_0__i': 150.00 MHz (PASS at 49.15 MHz)\n"
           "Info: Max frequency for clock '$glbnet$network_clk': 120.00 MHz (PASS at 105.00 MHz)\n")

    fake_toolchain(monkeypatch, tmp_path, log)
    net = random_network(small_config(), np.random.default_rng(2))
    result = build_board("tiliqua", net, out_root=tmp_path, progress=lambda *_: None)
    assert result.report["timing_met"] and set(result.report["clocks"]) == {"sync", "audio", "network"}
    out = tmp_path / "tiliqua"
    assert "EHXPLLL" in (out / "top.il").read_text() and "--bootaddr 0" in (out / "build_top.sh").read_text()
    archive = tmp_path / "tiliqua" / result.report["archive"].rsplit("/", 1)[-1]
    assert archive.parent == result.bitstream.parent and archive.name.endswith("-r5.tar.gz")
    _, data = read_archive(archive)
    assert data["top.bit"] == b"fake" == result.bitstream.read_bytes()
    manifest = json.loads(data["manifest.json"])
    assert manifest["regions"][0]["crc"] == crc32_bzip2(b"fake")
    report = json.loads(result.report_path.read_text())
    assert report["archive"] == str(archive)
    # what the bitstream plays, in the one free text the bootloader shows (random weights: no training report)
    plan = plan_for_board(net.config, get_board("tiliqua"))
    assert manifest["help"]["brief"] == (f"192.0 kHz, {plan.latency_samples} samples late, 5 V/unit, "
                                         f"{net.config.params} params, SNR n/a")
    assert report["plays"]["latency_samples"]["pipeline"] == plan.latency_samples


def test_a_brief_the_bootloader_cannot_show_is_refused_before_the_build():
    played = {"sample_rate_hz": 192_000.0, "latency_samples": {"total": 5}, "volts_per_unit": 5.0,
              "params": 9313, "test_snr_db": 31.25}
    archive = get_board("tiliqua").archive
    archive.check(**archive_fields(small_config(), played))
    with pytest.raises(ValueError, match=r"help\.brief: '192\.0 kHz, .* is 69 characters; the bootloader takes at "
                                         r"most 64"):
        archive.check(**archive_fields(small_config(), {**played, "params": 123_456_789_012}))


@pytest.mark.slow
def test_real_tiliqua_build_meets_timing_with_its_archive(tmp_path):
    net = random_network(small_config(), np.random.default_rng(5))
    result = build_board("tiliqua", net, out_root=tmp_path, progress=lambda *_: None)
    report = json.loads(result.report_path.read_text())
    assert report["timing_met"] is True and set(report["clocks"]) == {"sync", "audio", "network"}
    assert report["clocks"]["sync"]["target_mhz"] == pytest.approx(90.0, abs=0.02)  # printed as 90.01
    assert report["clocks"]["network"]["target_mhz"] == pytest.approx(105.0, abs=0.02)
    assert report["clocks"]["audio"]["target_mhz"] == pytest.approx(49.15, abs=0.01)
    assert abs(report["sample_rate_error"]) < 0.001
    assert report["utilisation"]["EHXPLLL"]["used"] == 1
    _, data = read_archive(report["archive"])
    bitstream = result.bitstream.read_bytes()
    assert data["top.bit"] == bitstream and len(bitstream) > 50_000
    region = json.loads(data["manifest.json"])["regions"][0]
    assert (region["size"], region["crc"]) == (len(bitstream), crc32_bzip2(bitstream))
