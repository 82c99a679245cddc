"""The rate plan refuses what the link cannot carry, with the numbers, and accepts what fits."""

from fractions import Fraction

import pytest

from firmware_datalogger.__main__ import main
from firmware_datalogger.rate_plan import RatePlanError, plan

CLOCK = Fraction(2_100_000_000, 23)  # the ECPIX-5 sync clock from its PLL


def test_four_channels_at_192k_refused_on_3_mbaud_with_numbers():
    with pytest.raises(RatePlanError, match=r"rate plan impossible") as err:
        plan(channels=4, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=3_000_000, clock_hz=CLOCK)
    text = str(err.value)
    assert "12.288 Mbit/s payload" in text and "3 Mbaud" in text
    assert "1 ch at 96 kHz" in text          # the suggestion: what would fit instead


def test_link_use_is_computed_from_frames_and_8n1():
    # Worked out by hand from the frame layout in protocol.py's docstring (18-byte header, 2 bytes per
    # sample per channel, 2-byte CRC) and 8N1 (10 bit times per byte):
    # 2 ch: 18 + 2*2*256 + 2 = 1044 bytes per frame; 192000 / 256 = 750 frames/s;
    #       1044 * 750 = 783 000 bytes/s = 7 830 000 bit times/s; / 12 000 000 = 0.6525.
    p = plan(channels=2, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=12_000_000, clock_hz=CLOCK)
    assert p.link_use == pytest.approx(0.6525, abs=1e-12)
    # 4 ch at 96 kHz: 18 + 2*4*256 + 2 = 2068 bytes; 96000 / 256 = 375 frames/s; 2068 * 375 * 10 = 7 755 000
    #       bit times/s; / 12 000 000 = 0.64625.
    p4 = plan(channels=4, codec_rate_hz=192_000, sample_rate_hz=96_000, baud=12_000_000, clock_hz=CLOCK, fir_taps=103)
    assert p4.link_use == pytest.approx(0.64625, abs=1e-12)
    # 2 100 000 000 / 23 Hz / 12 000 000 baud = 2100 / 276 = 175 / 23 clocks per bit.
    assert p.clocks_per_bit == Fraction(175, 23)


def test_three_channels_at_192k_exceed_the_90_percent_margin_but_fit_when_allowed():
    # 18 + 2*3*256 + 2 = 1556 bytes * 750 frames/s * 10 = 11 670 000 bit times/s = 97.25 % of 12 Mbaud.
    with pytest.raises(RatePlanError, match="97.2 % needed"):
        plan(channels=3, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=12_000_000, clock_hz=CLOCK)
    assert plan(channels=3, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=12_000_000, clock_hz=CLOCK,
                max_link_use=0.98).link_use < 0.98


def test_fir_budget_and_uart_divider_are_checked():
    with pytest.raises(RatePlanError, match="FIR needs"):
        plan(channels=4, codec_rate_hz=192_000, sample_rate_hz=96_000, baud=12_000_000, clock_hz=CLOCK,
             fir_taps=400)
    with pytest.raises(RatePlanError, match="clocks per bit"):
        plan(channels=1, codec_rate_hz=192_000, sample_rate_hz=192_000, baud=30_000_000, clock_hz=CLOCK)
    with pytest.raises(RatePlanError, match="integer"):
        plan(channels=1, codec_rate_hz=192_000, sample_rate_hz=100_000, baud=12_000_000, clock_hz=CLOCK)


def test_cli_build_refuses_before_synthesis(capsys):
    assert main(["build", "--board", "ecpix5", "--channels", "0,1,2,3", "--rate", "192000"]) == 2
    err = capsys.readouterr().err
    assert "rate plan impossible" in err and "4 ch at 96 kHz" in err


def test_cli_plan_accepts_the_default(capsys):
    assert main(["plan", "--board", "ecpix5"]) == 0
    assert "2 ch x 16 bit x 192 kHz" in capsys.readouterr().out


def test_board_top_elaborates():
    """The datalogger top with the board's codec edge (clocks, driver, pins) and UART converts to RTLIL."""
    from firmware_datalogger.build import board_plan
    from firmware_datalogger.gateware.top import DataloggerTop

    board, p, coeffs = board_plan("ecpix5", (0, 1, 2, 3), 96_000)
    platform = board.platform()
    plan_file = platform.prepare(DataloggerTop(board, p, (0, 1, 2, 3), coeffs=coeffs), name="datalogger")
    assert "uart_0__tx__io" in plan_file.files["datalogger.lpf"]


def test_tiliqua_streams_over_its_rp2040_bridge():
    """The link comes from the board file: Tiliqua's RP2040 bridge at 115 200 baud carries one channel at
    3 kHz (6 kB/s + framing), not one at 192 kHz; its UART leaves on ball B4 (docs/tiliqua.md §3)."""
    from firmware_datalogger.build import BuildError, board_plan
    from firmware_datalogger.gateware.top import DataloggerTop

    board, p, coeffs = board_plan("tiliqua", (0,), 3_000)
    assert board.serial_link.max_baud == 115_200 and p.baud == 115_200
    lpf = board.platform().prepare(DataloggerTop(board, p, (0,), coeffs=coeffs), name="datalogger").files[
        "datalogger.lpf"]
    assert 'LOCATE COMP "uart_0__tx__io" SITE "B4";' in lpf
    with pytest.raises(RatePlanError, match=r"> 90 % of a 0\.1152 Mbaud link"):
        board_plan("tiliqua", (0,), 192_000)
    from dataclasses import replace
    from unittest import mock

    from boards.registry import get_board

    bare = replace(get_board("ecpix5"), serial_link=None)
    with mock.patch("boards.registry.get_board", return_value=bare), \
            pytest.raises(BuildError, match=r"board ecpix5 names no USB-serial link \(serial_link in "
                                            r"boards/defs/ecpix5.py\)"):
        board_plan("ecpix5", (0,), 192_000)
