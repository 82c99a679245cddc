"""Tiliqua's clocking, an external audio clock: the SI5351 arithmetic worked by hand, 192 kHz within 0.1 %,
the sync PLL search with its network clock from the same VCO, and the audio clock monitor in
``amaranth.sim``."""

from __future__ import annotations

from fractions import Fraction

import pytest
from amaranth.sim import Simulator

from boards.clocking.audio_clock_monitor import AudioClockMonitor
from boards.clocking.external_audio import search_sync_pll
from boards.clocking.pll import PllError
from boards.clocking.si5351 import si5351_output
from boards.registry import get_board
from boards.tests.helpers import unelaborated

BOARDS = ["tiliqua", "tiliqua_r4"]


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
