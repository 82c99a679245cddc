"""Tiliqua R4/R5: the pins against the public platform's facts (transcribed by hand into ``EXPECTED_BALLS``
from ``docs/tiliqua.md`` §3, not read from the board file), the clocking (SI5351 arithmetic worked by hand,
192 kHz within 0.1 %), the audio-clock check and the housekeeping in ``amaranth.sim``, the bitstream
archive (untarred and read back with ``tarfile``/``json``), and what ``make flash BOARD=tiliqua`` prints."""

from __future__ import annotations

import gc
import json
import tarfile
import warnings
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
from amaranth.hdl import UnusedElaboratable
from amaranth.sim import Simulator

from boards.__main__ import main
from boards.audio_edge.codec_edge import CodecEdgeTop
from boards.audio_edge.top import NetworkTop, make_network
from boards.build import BuildError, build_board
from boards.clocking.audio_clock_monitor import AudioClockMonitor
from boards.clocking.external_audio import search_sync_pll
from boards.clocking.pll import PllError
from boards.clocking.si5351 import si5351_output
from boards.eurorack_pmod.calibration import R33_INPUT, R33_OUTPUT, R35_INPUT, R35_OUTPUT
from boards.plan import plan_for_board
from boards.registry import get_board
from boards.tiliqua.archive import ArchiveError, TiliquaArchive, crc32_bzip2
from boards.tiliqua.housekeeping import TiliquaHousekeeping
from boards.toolchain.flash import FlashError, flash_board
from quantize.weights import random_network

from .helpers import small_config
from .test_build import _fake_toolchain

#: docs/tiliqua.md §3, by hand: the SoldierCrab R3 ball of each signal on Tiliqua R4/R5.
EXPECTED_BALLS = {
    ("eurorack_pmod", "sdin1"): "D7", ("eurorack_pmod", "sdout1"): "C9", ("eurorack_pmod", "lrck"): "C10",
    ("eurorack_pmod", "bick"): "D9", ("eurorack_pmod", "mclk"): "C15", ("eurorack_pmod", "pdn"): "A15",
    ("eurorack_pmod", "sda"): "C16", ("eurorack_pmod", "scl"): "B16",
    ("codec_pdn_clock", None): "C12", ("clk48", None): "A8", ("audio_clock", None): "D8",
    ("encoder_button", None): "A6", ("programn", None): "T13",
}
PSEUDO_COUNTS = {"pseudo_vccio": 15, "pseudo_gnd": 9, "pseudo_vccram": 15, "pseudo_gndram": 11}
BOARDS = ["tiliqua", "tiliqua_r4"]


@contextmanager
def unelaborated():
    """For tests that build components only to read their parameters: collect them quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusedElaboratable)
        yield
        gc.collect()


def lpf_for(board_name: str) -> str:
    """The LPF nextpnr would get for a small network on the board (full elaboration, no tools run)."""
    cfg = small_config()
    board = get_board(board_name)
    plan = plan_for_board(cfg, board)
    top = NetworkTop(cfg, make_network(random_network(cfg, np.random.default_rng(0)), plan), board=board)
    return board.platform().prepare(top, name="top").files["top.lpf"]


def located(lpf: str) -> dict[str, str]:
    sites = {}
    for line in lpf.splitlines():
        if line.startswith("LOCATE COMP"):
            port, site = line.split('"')[1], line.split('"')[3]
            sites[port] = site
    return sites


@pytest.fixture(scope="module")
def lpf():
    return lpf_for("tiliqua")


def test_balls_nextpnr_sees_are_the_documented_ones(lpf):
    sites = located(lpf)
    for (resource, sub), ball in EXPECTED_BALLS.items():
        port = f"{resource}_0__{sub}__io" if sub else f"{resource}_0__io"
        assert sites.get(port) == ball, (resource, sub)
    for name, count in PSEUDO_COUNTS.items():
        assert sum(1 for port in sites if port.startswith(f"{name}_0__io[")) == count
    assert sites["pseudo_vccio_0__io[0]"] == "E6" and sites["pseudo_gndram_0__io[10]"] == "H2"
    assert len(set(sites.values())) == len(sites)  # no ball used twice


def test_io_standards_and_clock_constraints(lpf):
    lines = {line.split('"')[1]: line for line in lpf.splitlines() if line.startswith("IOBUF PORT")}
    for name in ("sdin1", "lrck", "bick", "mclk", "pdn"):
        assert "IO_TYPE=LVCMOS33 DRIVE=4 SLEWRATE=SLOW" in lines[f"eurorack_pmod_0__{name}__io"]
    assert "PULLMODE=NONE" in lines["eurorack_pmod_0__sda__io"]
    assert "PULLMODE=UP" in lines["programn_0__io"]
    assert "IO_TYPE=LVCMOS18" in lines["pseudo_vccram_0__io[0]"]
    assert "IO_TYPE=LVCMOS33" in lines["pseudo_vccio_0__io[0]"]
    assert 'FREQUENCY PORT "clk48_0__io" 48000000.0 HZ;' in lpf
    audio = [line for line in lpf.splitlines() if line.startswith('FREQUENCY PORT "audio_clock_0__io"')]
    assert len(audio) == 1 and float(audio[0].split()[3]) == pytest.approx(49_152_000, abs=1)


def test_active_low_pins_and_packing():
    platform = get_board("tiliqua").platform()
    assert platform.lookup("encoder_button", 0).ios[0].invert
    assert platform.lookup("programn", 0).ios[0].invert
    assert not platform.lookup("pseudo_vccio", 0).ios[0].invert
    script = platform.prepare(NetworkTop(small_config(), make_network(
        random_network(small_config(), np.random.default_rng(1)),
        plan_for_board(small_config(), get_board("tiliqua"))), board=get_board("tiliqua")),
        name="top").files["build_top.sh"]
    assert "--25k --package CABGA256 --speed 6" in script
    assert "--bootaddr 0" in script and "--compress" in script


@pytest.mark.parametrize("name", BOARDS)
def test_part_and_revision(name):
    board = get_board(name)
    assert (board.device.part, board.device.package, board.device.speed) == ("LFE5U-25F", "CABGA256", 6)
    assert board.device.nextpnr_flags == ["--25k", "--package", "CABGA256", "--speed", "6"]
    assert board.codec_pins_verified
    assert board.archive.hw_rev == {"tiliqua": 5, "tiliqua_r4": 4}[name]


@unelaborated()
def test_audio_board_calibration_per_revision():
    r5, r4 = CodecEdgeTop(get_board("tiliqua")).pmod, CodecEdgeTop(get_board("tiliqua_r4")).pmod
    assert (r5.input_cal, r5.output_cal) == (R35_INPUT, R35_OUTPUT)
    assert (r4.input_cal, r4.output_cal) == (R33_INPUT, R33_OUTPUT)
    assert get_board("ecpix5").codec_options == {}


# -- clocks ------------------------------------------------------------------------------------------

def test_si5351_setting_for_192khz_worked_by_hand():
    # 900 MHz // 49.152 MHz = 18 -> R = 1, M = 18; PLL target 884.736 MHz = 25 MHz * 35.38944
    # -> a = 35, b = floor(0.38944 * 1048575) = floor(408357.05) = 408357.
    out = si5351_output(49_152_000)
    assert (out.multisynth_divider, out.r_divider, out.pll_int, out.pll_num, out.pll_den) == \
        (18, 1, 35, 408357, 1048575)
    assert out.output_hz == Fraction(25_000_000) * (35 + Fraction(408357, 1048575)) / 18
    assert abs(float(out.output_hz) / 49_152_000 - 1) < 1e-8


def test_si5351_for_48khz_and_out_of_range():
    # 900 MHz // 12.288 MHz = 73 -> M = 72, same PLL target as above.
    out = si5351_output(12_288_000)
    assert (out.multisynth_divider, out.r_divider, out.pll_int, out.pll_num) == (72, 1, 35, 408357)
    with pytest.raises(ValueError, match="output divider above 128"):
        si5351_output(1_000)
    with pytest.raises(ValueError, match="outside 1 Hz"):
        si5351_output(0)


@pytest.mark.parametrize("name", BOARDS)
def test_sample_rate_is_192khz_within_a_tenth_of_a_percent(name):
    board = get_board(name)
    assert abs(board.sample_rate_hz / 192_000 - 1) < 0.001
    assert abs(board.sample_rate_hz / 192_000 - 1) < 1e-6  # the SI5351 is exact to a few ppb
    assert board.audio_clock_hz == pytest.approx(49_152_000, abs=1)
    assert board.clock_in_hz == 48_000_000
    assert board.sync_clock_hz == 90_000_000
    pll = board.pll.sync_pll
    assert 400e6 <= pll.vco_hz <= 800e6 and pll.pfd_hz >= 3.125e6
    plan = plan_for_board(small_config(), board)
    # the network runs on the PLL's CLKOS2 (test_network_clock_from_the_same_vco): 105 MHz / 192 kHz = 546.9
    assert (plan.clock_hz, plan.sample_rate_hz, plan.cycle_budget) == (105_000_000, 192_000, 546)


def test_sync_pll_search():
    pll = search_sync_pll(48_000_000, 90_000_000)
    assert pll.sync_hz == 90_000_000 and pll.sync_hz == Fraction(48_000_000, pll.clki_div) * pll.clkfb_div
    assert search_sync_pll(48_000_000, 100_000_000).sync_hz == 100_000_000      # 48 MHz / 12 * 25
    with pytest.raises(PllError, match="input clock 1 MHz outside"):
        search_sync_pll(1_000_000, 90_000_000)
    with pytest.raises(PllError, match="no ECP5 PLL setting gives a sync clock between"):
        search_sync_pll(48_000_000, 10_000_001, sync_min_ratio=0.9999999)


def test_network_clock_from_the_same_vco():
    """Worked by hand: 48 MHz / 8 * 15 = 90 MHz sync; the VCOs that give it are 90 x 5..8 = 450, 540, 630 and
    720 MHz, whose fastest CLKOS2 outputs not above 110 MHz are 90, 108, 105 and 102.9 MHz (540 / 5 wins), and
    not above 105 MHz (the board's target): 90, 90, 105 and 102.9 MHz (630 / 6 wins)."""
    pll = search_sync_pll(48_000_000, 90_000_000, network_target_hz=110_000_000)
    assert (pll.clki_div, pll.clkfb_div, pll.clkop_div, pll.clkos2_div) == (8, 15, 6, 5)
    assert pll.network_hz == 108_000_000 and pll.sync_hz == 90_000_000
    params = pll.instance_params()
    assert (params["CLKOS2_ENABLE"], params["CLKOS2_DIV"], params["FEEDBK_PATH"]) == ("ENABLED", 5, "CLKOP")
    assert "CLKOS2_DIV" not in search_sync_pll(48_000_000, 90_000_000).instance_params()
    pll = search_sync_pll(48_000_000, 90_000_000, network_target_hz=105_000_000)
    assert (pll.clki_div, pll.clkfb_div, pll.clkop_div, pll.clkos2_div) == (8, 15, 7, 6)
    assert pll.network_hz == 105_000_000
    board = get_board("tiliqua")
    assert board.has_network_clock and board.network_clock_hz == 105_000_000


WINDOW = 4096   # 559 edges expected: 1 % + 2 is 7.6 edges, so 48 and 50 MHz fall outside


def _monitor_ok_trace(audio_hz, *, cycles=3 * WINDOW):
    dut = AudioClockMonitor(49_152_000, 90_000_000, window_cycles=WINDOW)
    sim = Simulator(dut)
    sim.add_clock(1 / 90e6, domain="sync")
    if audio_hz:
        sim.add_clock(1 / audio_hz, domain="audio")
    trace = []

    async def watch(ctx):
        for _ in range(cycles):
            await ctx.tick("sync")
            trace.append(ctx.get(dut.ok))

    sim.add_testbench(watch)
    sim.run()
    return trace


def test_audio_clock_monitor_accepts_the_right_clock():
    trace = _monitor_ok_trace(49_152_000)
    assert trace[:WINDOW - 1] == [0] * (WINDOW - 1)  # nothing before the first window ends
    assert all(trace[WINDOW:])                      # ok from then on


@pytest.mark.parametrize("audio_hz", [12_288_000, 48_000_000, 50_000_000, None])
def test_audio_clock_monitor_refuses_a_wrong_or_missing_clock(audio_hz):
    assert not any(_monitor_ok_trace(audio_hz))


@unelaborated()
def test_audio_clock_monitor_bounds():
    dut = AudioClockMonitor(49_152_000, 90_000_000, window_cycles=WINDOW)
    expected = WINDOW * 49.152 / (4 * 90)
    assert dut.min_edges <= expected <= dut.max_edges and dut.max_edges - dut.min_edges <= 2 * (expected / 100 + 2)
    default = AudioClockMonitor(49_152_000, 90_000_000)
    assert default.window_cycles == 65536 and default.max_edges - default.min_edges < 0.025 * default.expected_edges
    with pytest.raises(ValueError, match="too fast to count"):
        AudioClockMonitor(100e6, 50e6)
    with pytest.raises(ValueError, match="window_cycles must be at least 64"):
        AudioClockMonitor(49e6, 90e6, window_cycles=8)


# -- housekeeping --------------------------------------------------------------------------------------

def _housekeeping(press_cycles, total, *, codec_pdn=1):
    dut = TiliquaHousekeeping(1000, hold_s=3.0, mute_s=2.5, pdn_clock_bits=3)  # 3000 / 2500 cycles
    sim = Simulator(dut)
    sim.add_clock(1e-3, domain="sync")
    rows = []

    async def bench(ctx):
        ctx.set(dut.codec_pdn, codec_pdn)
        for cycle in range(total):
            ctx.set(dut.button, int(cycle < press_cycles))
            await ctx.tick()
            rows.append({k: ctx.get(getattr(dut, k)) for k in ("programn", "mute", "pdn_d", "pdn_clk")})

    sim.add_testbench(bench)
    sim.run()
    return rows


def test_holding_the_encoder_mutes_then_reconfigures():
    rows = _housekeeping(press_cycles=4000, total=3100)
    first_mute = next(i for i, r in enumerate(rows) if r["mute"])
    first_prog = next(i for i, r in enumerate(rows) if r["programn"])
    assert 2495 <= first_mute <= 2505 and 2995 <= first_prog <= 3005
    assert all(r["pdn_d"] for r in rows[100:first_mute])          # running: the latch follows PDN = 1
    assert not any(r["pdn_d"] for r in rows[first_mute + 20:])     # muted before PROGRAMN
    assert all(r["programn"] for r in rows[first_prog:])


def test_releasing_early_cancels_but_not_after_the_mute():
    assert not any(r["programn"] or r["mute"] for r in _housekeeping(press_cycles=2000, total=3500))
    late = _housekeeping(press_cycles=2600, total=3200)             # released after the mute point
    assert any(r["programn"] for r in late)


def test_pdn_latch_data_changes_only_while_its_clock_is_low():
    rows = _housekeeping(press_cycles=4000, total=3100)
    clock = [r["pdn_clk"] for r in rows]
    assert 0 < sum(clock) < len(clock) and clock[:16] != [clock[0]] * 16   # it toggles
    for i in range(1, len(rows)):
        if rows[i]["pdn_d"] != rows[i - 1]["pdn_d"]:
            assert clock[i] == 0 and clock[i - 1] == 0
    assert not any(r["pdn_d"] for r in _housekeeping(press_cycles=0, total=200, codec_pdn=0))


@unelaborated()
def test_housekeeping_rejects_bad_times():
    with pytest.raises(ValueError, match="need 0 < mute_s < hold_s"):
        TiliquaHousekeeping(1e6, hold_s=2.0, mute_s=2.5)


# -- the bitstream archive ------------------------------------------------------------------------------

def crc32_bzip2_bitwise(data: bytes) -> int:
    """CRC-32/BZIP2 one bit at a time (the test's own, independent of the table in the archive code)."""
    crc = 0xFFFFFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = (crc >> 31) ^ ((byte >> bit) & 1)
            crc = ((crc << 1) & 0xFFFFFFFF) ^ (0x04C11DB7 if top else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32_bzip2_check_value():
    assert crc32_bzip2(b"123456789") == 0xFC891918        # the CRC catalogue's check value
    data = bytes(np.random.default_rng(0).integers(0, 256, 3001, dtype=np.uint8))
    assert crc32_bzip2(data) == crc32_bzip2_bitwise(data)


def read_archive(path):
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers()}
        return members, {name: tar.extractfile(m).read() for name, m in members.items()}


def no_nulls(value):
    if isinstance(value, dict):
        return all(v is not None and no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(no_nulls(v) for v in value)
    return value is not None


@pytest.mark.parametrize("name, hw_rev", [("tiliqua", 5), ("tiliqua_r4", 4)])
def test_archive_contents(tmp_path, name, hw_rev):
    bitstream = bytes(np.random.default_rng(hw_rev).integers(0, 256, 123_457, dtype=np.uint8))
    (tmp_path / "top.bit").write_bytes(bitstream)
    path = get_board(name).archive.write(small_config(), tmp_path / "top.bit", tag="abc1234")
    assert path == tmp_path / f"waveshaper-boards_test-abc1234-r{hw_rev}.tar.gz"
    members, data = read_archive(path)
    assert set(members) == {"top.bit", "manifest.json"}
    assert all(m.isfile() for m in members.values())
    assert data["top.bit"] == bitstream
    manifest = json.loads(data["manifest.json"])
    assert manifest["hw_rev"] == hw_rev and manifest["magic"] == 0xFEEDBEEF
    assert manifest["name"] == "WAVESHAPER-BOARDS_TEST" and manifest["tag"] == "abc1234"
    assert manifest["external_pll_config"] == {"clk0_hz": 49_152_000, "clk1_inherit": False}
    bit_region, manifest_region = manifest["regions"]
    assert bit_region == {"filename": "top.bit", "size": 123_457, "region_type": "Bitstream",
                          "crc": crc32_bzip2_bitwise(bitstream)}
    assert manifest_region == {"filename": "manifest.json", "size": 4096, "region_type": "Manifest"}
    assert no_nulls(manifest)                                        # absent, never null
    help_ = manifest["help"]
    assert len(help_["brief"]) <= 64 and len(help_["io_left"]) == 8 and len(help_["io_right"]) == 6
    assert all(len(label) <= 20 for label in help_["io_left"] + help_["io_right"])
    assert help_["io_left"][:4] == ["core wave in", "CV e0 0..5V", "CV e1 0..5V", ""]
    assert help_["io_left"][4:6] == ["shaped out", "dry core out"]


def test_archive_field_limits():
    archive = TiliquaArchive(hw_rev=5, clk0_hz=49_152_000)
    with pytest.raises(ArchiveError, match="name: 'WAVESHAPER-A{30}' is 41 characters; the bootloader takes at "
                                           "most 32"):
        archive.check(small_config(name="a" * 30))
    with pytest.raises(ArchiveError, match="tag: '123456789' is 9 characters"):
        archive.manifest(small_config(), b"\x01", tag="123456789")
    with pytest.raises(ArchiveError, match="hw_rev: 3 is not a Tiliqua revision"):
        TiliquaArchive(hw_rev=3, clk0_hz=49_152_000).check(small_config())
    with pytest.raises(ArchiveError, match="bitstream: empty"):
        archive.manifest(small_config(), b"", tag="x")


def test_build_refuses_a_name_the_bootloader_cannot_show_before_synthesis(tmp_path):
    net = random_network(small_config(name="n" * 40), np.random.default_rng(0))
    with pytest.raises(BuildError, match="tiliqua: the bitstream archive would be refused: name:"):
        build_board("tiliqua", net, out_root=tmp_path, progress=lambda *_: None)
    assert not (tmp_path / "tiliqua").exists()


def test_build_writes_the_archive_beside_the_bitstream(tmp_path, monkeypatch):
    """The flow with a canned nextpnr log (the platform is elaborated for real; fake tools write the products,
    ``test_build._fake_toolchain``)."""

    log = ("Info: Device utilisation:\nInfo:      TRELLIS_COMB:  1000/24288   4%\n"
           "Info:        MULT18X18D:     8/   28  28%\n\n"
           "Info: Max frequency for clock '$glbnet$clk_sync': 110.00 MHz (PASS at 90.01 MHz)\n"
           "Info: Max frequency for clock '$glbnet$audio_clock_0__i': 150.00 MHz (PASS at 49.15 MHz)\n"
           "Info: Max frequency for clock '$glbnet$network_clk': 120.00 MHz (PASS at 105.00 MHz)\n")

    _fake_toolchain(monkeypatch, tmp_path, log)
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
    assert manifest["regions"][0]["crc"] == crc32_bzip2_bitwise(b"fake")
    report = json.loads(result.report_path.read_text())
    assert report["archive"] == str(archive)
    # what the bitstream plays, in the one free text the bootloader shows (random weights: no training report)
    plan = plan_for_board(net.config, get_board("tiliqua"))
    assert manifest["help"]["brief"] == (f"192.0 kHz, {plan.latency_samples} samples late, 5 V/unit, "
                                         f"{net.config.params} params, SNR n/a")
    assert report["plays"]["latency_samples"]["pipeline"] == plan.latency_samples


def test_a_brief_the_bootloader_cannot_show_is_refused_before_the_build():
    archive = TiliquaArchive(hw_rev=5, clk0_hz=49_152_000)
    played = {"sample_rate_hz": 192_000.0, "latency_samples": {"total": 5}, "volts_per_unit": 5.0,
              "params": 9313, "test_snr_db": 31.25}
    archive.check(small_config(), played)
    with pytest.raises(ArchiveError, match=r"help\.brief: '192\.0 kHz, .* is 69 characters; the bootloader takes at "
                                           r"most 64"):
        archive.check(small_config(), {**played, "params": 123_456_789_012})


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
    assert (region["size"], region["crc"]) == (len(bitstream), crc32_bzip2_bitwise(bitstream))


# -- make flash -----------------------------------------------------------------------------------------

def test_flash_without_an_archive(tmp_path):
    with pytest.raises(FlashError, match="no bitstream archive in .*make bitstream BOARD=tiliqua"):
        flash_board("tiliqua", build_root=tmp_path)


def test_flash_prints_the_flasher_command_for_the_archive(tmp_path, capsys):
    out = tmp_path / "tiliqua"
    out.mkdir()
    (out / "top.bit").write_bytes(b"\x01\x02")
    archive = get_board("tiliqua").archive.write(small_config(), out / "top.bit", tag="t")
    (out / "report.json").write_text(json.dumps({"archive": str(archive)}))
    text = flash_board("tiliqua", build_root=tmp_path, slot=3)
    assert f"    pdm flash archive {archive.resolve()} --slot 3\n" in text
    assert "Not flashed" in text and "https://github.com/apfaudio/tiliqua" in text
    assert "https://apfaudio.github.io/tiliqua-webflash" in text and "49.152 MHz" in text
    assert "--slot <0..7>" in flash_board("tiliqua", build_root=tmp_path)
    assert main(["flash", "--board", "tiliqua", "--out", str(tmp_path), "--slot", "7"]) == 0
    assert f"pdm flash archive {archive.resolve()} --slot 7" in capsys.readouterr().out


def test_flash_slot_errors(tmp_path, capsys):
    with pytest.raises(FlashError, match="slot 8 does not exist: a Tiliqua has slots 0..7"):
        flash_board("tiliqua", build_root=tmp_path, slot=8)
    with pytest.raises(FlashError, match="board ecpix5 has no flash slots"):
        flash_board("ecpix5", build_root=tmp_path, slot=1)
    assert main(["flash", "--board", "tiliqua", "--out", str(tmp_path), "--slot", "-1"]) == 1
    assert "slot -1 does not exist" in capsys.readouterr().err
