"""Board registry: every board module is found, its PLL-derived clocks, its part agrees with its platform,
and the codec pins resolve to the balls of ``docs/eurorack-pmod.md`` §9 (ECPIX-5 through PMOD0, the
i5 by ball name)."""

from __future__ import annotations

import math

import pytest

from boards.registry import BOARDS, DEFAULT_BOARD, get_board

#: docs/eurorack-pmod.md §9, transcribed: SDIN1 SDOUT1 LRCK BICK / SCL SDA PDN MCLK.
BALLS = {
    "ecpix5": ["T25", "U25", "U24", "V24", "T26", "U26", "V26", "W26"],
    "colorlight_i5": ["P17", "R18", "C18", "U16", "M17", "R17", "T18", "K18"],
}
SIGNALS = ["sdin1", "sdout1", "lrck", "bick", "scl", "sda", "pdn", "mclk"]


def resolved_balls(board_name):
    platform = get_board(board_name).platform()
    resource = platform.lookup("eurorack_pmod", 0)
    balls = {}
    for sub in resource.ios:
        pins = sub.ios[0]
        names = list(pins.map_names(platform._conn_pins, resource))
        balls[sub.name] = names[0]
    return balls


def test_every_board_file_is_named_in_board_modules():
    """A board file left out of the tuple would never register: every module of ``boards/defs/`` is named."""
    from pathlib import Path

    from boards import defs

    files = {path.stem for path in Path(defs.__file__).parent.glob("*.py") if path.stem != "__init__"}
    assert files == set(defs.BOARD_MODULES) and len(defs.BOARD_MODULES) == len(set(defs.BOARD_MODULES))


def test_all_boards_registered():
    assert {"ecpix5", "colorlight_i5", "ulx3s", "tiliqua", "tiliqua_r4"} <= set(BOARDS)
    assert DEFAULT_BOARD == "ecpix5"
    with pytest.raises(KeyError, match="known boards"):
        get_board("nope")


@pytest.mark.parametrize("name", ["ecpix5", "colorlight_i5"])
def test_codec_balls(name):
    balls = resolved_balls(name)
    assert [balls[s] for s in SIGNALS] == BALLS[name]
    assert get_board(name).codec_pins_verified


def test_ulx3s_is_marked_unverified_and_builds_without_openfpgaloader():
    board = get_board("ulx3s")
    assert not board.codec_pins_verified and "UNVERIFIED" in board.codec_connection
    assert "openFPGALoader" not in board.platform().required_tools
    assert len(set(resolved_balls("ulx3s").values())) == 8


@pytest.mark.parametrize("name", ["ecpix5", "colorlight_i5", "ulx3s"])
def test_clocks_come_from_the_pll(name):
    board = get_board(name)
    assert board.sys_clock_hz == math.floor(board.pll.sync_hz)
    assert board.sample_rate_hz == pytest.approx(float(board.pll.audio_hz) / 256)
    assert abs(board.sample_rate_hz / 192_000 - 1) < 0.02
    assert board.pll.clock_in_hz == board.clock_in_hz
    platform = board.platform()
    assert platform.lookup(board.clock_resource, 0).clock.frequency == board.clock_in_hz
    assert platform.device == board.part


def test_resources():
    ecpix5, i5 = get_board("ecpix5").device, get_board("colorlight_i5").device
    assert (ecpix5.multipliers, ecpix5.block_rams) == (156, 208)
    assert (i5.multipliers, i5.luts) == (28, 24_288)
    assert ecpix5.nextpnr_flags == ["--um5g-85k", "--package", "CABGA554", "--speed", "8"]


@pytest.mark.parametrize("name", ["ecpix5", "colorlight_i5", "ulx3s", "tiliqua", "tiliqua_r4"])
def test_platform_builds_for_the_boards_device(name):
    """The amaranth platform (what nextpnr is run for) and the board's device (what the network is
    planned against) name the same part, package and speed grade."""
    board = get_board(name)
    platform = board.platform()
    assert platform.device == board.device.part
    assert platform._nextpnr_package_options[platform.package].upper() == board.device.package
    assert int(platform.speed) == board.device.speed
