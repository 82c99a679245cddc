"""PLL divider search: achieved frequencies, hardware limits, the 2 % sample-rate rule, impossible requests."""

from __future__ import annotations

from fractions import Fraction

import pytest

from boards.clocking.pll import ECP5_LIMITS, PllError, PllSettings, search_pll


def brute_force_best_error(clock_in_hz, sync_target_hz, audio_target_hz, sync_min_ratio=0.9):
    """Independent exhaustive search (all four dividers, no pruning) for the smallest audio error."""
    best = None
    for clki in range(1, 129):
        pfd = Fraction(clock_in_hz, clki)
        if not 3_125_000 <= pfd <= 400_000_000:
            continue
        for fb in range(1, 81):
            sync = pfd * fb
            if not Fraction(sync_target_hz) * Fraction(str(sync_min_ratio)) <= sync <= sync_target_hz:
                continue
            for op in range(1, 129):
                vco = sync * op
                if not 400_000_000 <= vco <= 800_000_000:
                    continue
                for os_ in range(1, 129):
                    audio = vco / os_
                    if not 10_000_000 <= audio <= 400_000_000:
                        continue
                    err = abs(audio - audio_target_hz)
                    if best is None or err < best:
                        best = err
    return best


@pytest.mark.parametrize("clock_in_hz", [100_000_000, 25_000_000])
def test_search_is_optimal_and_legal(clock_in_hz):
    s = search_pll(clock_in_hz, 100e6, 192_000)
    s.check()  # within every limit
    assert 400e6 <= s.vco_hz <= 800e6
    assert s.pfd_hz >= 3.125e6
    assert 90e6 <= s.sync_hz <= 100e6
    # Frequencies follow from the dividers exactly as the EHXPLLL computes them.
    assert s.sync_hz == Fraction(clock_in_hz, s.clki_div) * s.clkfb_div
    assert s.audio_hz == s.sync_hz * s.clkop_div / s.clkos_div
    assert s.sample_rate_hz == s.audio_hz / 256
    assert abs(s.sample_rate_hz / 192_000 - 1) <= 0.02
    best = brute_force_best_error(clock_in_hz, 100e6, 192_000 * 256)
    assert abs(s.audio_hz - 192_000 * 256) == best


def test_known_settings():
    """Hand-checked: 100 MHz / 23 * 21 = 91.304 MHz, VCO x7 = 639.13 MHz, / 13 = 49.1639 MHz."""
    s = search_pll(100_000_000, 100e6, 192_000)
    assert (s.clki_div, s.clkfb_div, s.clkop_div, s.clkos_div) == (23, 21, 7, 13)
    assert round(float(s.audio_hz)) == 49_163_880


def test_exact_when_reachable():
    # 12.288 MHz x 4 = 49.152 MHz: an input that divides evenly must give fs exactly.
    s = search_pll(12_288_000, 100e6, 192_000)
    assert s.sample_rate_hz == 192_000


def test_two_percent_rule():
    # A 44.1 kHz-family rate from a 100 MHz clock with sync pinned to exactly 100 MHz (window [1, 1]):
    # audio = 100 MHz * k / n with VCO in 400..800 MHz; 192 kHz * 256 = 49.152 MHz is then 1.73 % off
    # (50 MHz), which passes, and a 1 % limit must reject it with the achieved rate in the message.
    s = search_pll(100_000_000, 100e6, 192_000, sync_min_ratio=1.0)
    assert s.sync_hz == 100_000_000
    assert s.audio_hz == 50_000_000
    with pytest.raises(PllError, match=r"195312\.5 Hz .*1\.73 %"):
        search_pll(100_000_000, 100e6, 192_000, sync_min_ratio=1.0, max_error=0.01)


def test_impossible_requests():
    with pytest.raises(PllError, match="input clock"):
        search_pll(5_000_000, 100e6, 192_000)
    with pytest.raises(PllError, match="sync clock target"):
        search_pll(25_000_000, 500e6, 192_000)
    with pytest.raises(PllError, match="no CLKOS divider"):
        search_pll(25_000_000, 100e6, 1_000)  # 256 kHz audio clock: below the 10 MHz output minimum
    with pytest.raises(PllError, match="away from the requested"):
        search_pll(25_000_000, 100e6, 190_000, sync_min_ratio=1.0, max_error=0.001)


def test_check_rejects_illegal_settings():
    with pytest.raises(PllError, match="VCO"):
        PllSettings(100_000_000, 1, 1, 2, 4).check()  # VCO 200 MHz
    with pytest.raises(PllError, match="CLKFB_DIV"):
        PllSettings(25_000_000, 1, 81, 1, 1).check()
    PllSettings(25_000_000, 1, 4, 6, 12).check()  # 100 MHz sync, 600 MHz VCO, 50 MHz audio: legal
    assert ECP5_LIMITS.vco_max_hz == 800e6


def test_instance_parameters():
    s = search_pll(100_000_000, 100e6, 192_000)
    p = s.instance_params()
    assert p["CLKI_DIV"] == 23 and p["CLKFB_DIV"] == 21 and p["CLKOP_DIV"] == 7 and p["CLKOS_DIV"] == 13
    assert p["FEEDBK_PATH"] == "CLKOP"


def test_network_clock_is_the_fastest_vco_division_not_above_its_target():
    """CLKOS2 = VCO / CLKOS2_DIV. ECPIX-5: the VCO of the best audio setting is 100 MHz / 23 * 21 * 7 =
    639.13 MHz; /5 = 127.83 MHz is the fastest division not above 130 MHz (/4 = 159.78 MHz is above it), and
    the audio and sync clocks are the ones found without a network clock."""
    plain = search_pll(100_000_000, 100e6, 192_000)
    assert plain.clkos2_div is None and plain.network_hz == plain.sync_hz
    assert "CLKOS2_DIV" not in plain.instance_params()
    s = search_pll(100_000_000, 100e6, 192_000, network_target_hz=130e6)
    assert (s.clki_div, s.clkfb_div, s.clkop_div, s.clkos_div, s.clkos2_div) == (23, 21, 7, 13, 5)
    assert s.network_hz == Fraction(100_000_000, 23) * 21 * 7 / 5
    assert round(float(s.network_hz)) == 127_826_087
    assert s.audio_hz == plain.audio_hz and s.sync_hz == plain.sync_hz
    p = s.instance_params()
    assert (p["CLKOS2_ENABLE"], p["CLKOS2_DIV"], p["CLKOS2_CPHASE"]) == ("ENABLED", 5, 3)
    assert s.summary()["network_hz"] == pytest.approx(127_826_087, abs=1)
    for clock_in_hz, target in ((100_000_000, 160e6), (25_000_000, 110e6), (25_000_000, 140e6)):
        s = search_pll(clock_in_hz, 100e6, 192_000, network_target_hz=target)
        s.check()
        assert s.network_hz <= target < s.vco_hz / (s.clkos2_div - 1)


def test_network_clock_limits():
    with pytest.raises(PllError, match=r"^network clock target 500 MHz outside the PLL outputs' 10-400 MHz$"):
        search_pll(100_000_000, 100e6, 192_000, network_target_hz=500e6)
    with pytest.raises(PllError, match=r"^CLKOS2_DIV=129 outside 1..128$"):
        PllSettings(25_000_000, 1, 4, 6, 12, 129).check()
    with pytest.raises(PllError, match=r"^CLKOS2 frequency 600.0000 MHz outside 10-400 MHz$"):
        PllSettings(25_000_000, 1, 4, 6, 12, 1).check()  # VCO 600 MHz undivided
