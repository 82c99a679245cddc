"""Tiliqua R4/R5's board file: the pins against the public platform's facts (transcribed by hand into
``EXPECTED_BALLS`` from ``docs/tiliqua.md`` §3, not read from the board file), the I/O standards and clock
constraints nextpnr gets, the part and revision, the audio board's calibration per revision. Its clocking
is tested in ``boards/clocking/tests/``, its housekeeping, archive and flasher in ``boards/tiliqua/tests/``,
the waveshaper's build for it in ``bitstream/tests/test_tiliqua.py``."""

from __future__ import annotations

import pytest

from boards.audio_edge.codec_edge import CodecEdgeTop
from boards.eurorack_pmod.calibration import R33_INPUT, R33_OUTPUT, R35_INPUT, R35_OUTPUT
from boards.registry import get_board
from boards.tests.helpers import unelaborated

EXPECTED_BALLS = {
    ("eurorack_pmod", "sdin1"): "D7", ("eurorack_pmod", "sdout1"): "C9", ("eurorack_pmod", "lrck"): "C10",
    ("eurorack_pmod", "bick"): "D9", ("eurorack_pmod", "mclk"): "C15", ("eurorack_pmod", "pdn"): "A15",
    ("eurorack_pmod", "sda"): "C16", ("eurorack_pmod", "scl"): "B16",
    ("codec_pdn_clock", None): "C12", ("clk48", None): "A8", ("audio_clock", None): "D8",
    ("encoder_button", None): "A6", ("programn", None): "T13",
}
PSEUDO_COUNTS = {"pseudo_vccio": 15, "pseudo_gnd": 9, "pseudo_vccram": 15, "pseudo_gndram": 11}
BOARDS = ["tiliqua", "tiliqua_r4"]


def prepared(board_name: str) -> dict[str, str]:
    """The files nextpnr would get for the board's bare codec edge (full elaboration, no tools run): every
    pin the board's top level drives is requested by the edge itself."""
    board = get_board(board_name)
    return board.platform().prepare(CodecEdgeTop(board), name="top").files


def located(lpf: str) -> dict[str, str]:
    sites = {}
    for line in lpf.splitlines():
        if line.startswith("LOCATE COMP"):
            port, site = line.split('"')[1], line.split('"')[3]
            sites[port] = site
    return sites


@pytest.fixture(scope="module")
def lpf():
    return prepared("tiliqua")["top.lpf"]


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
    script = prepared("tiliqua")["build_top.sh"]
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
