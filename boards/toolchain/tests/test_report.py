"""nextpnr log parsing: utilisation from the last block, the LAST (post-route) Fmax per clock, domains named
by their constraint frequency, FAIL detection, and clear errors on logs that are not finished P&R runs."""

from __future__ import annotations

import pytest

from boards.toolchain.report import ReportError, parse_nextpnr_log

from .helpers import NEXTPNR_LOG as LOG

TARGETS = {"sync": 91_304_347.8, "audio": 49_163_879.6}


def test_utilisation():
    rep = parse_nextpnr_log(LOG, TARGETS)
    assert rep.utilisation["TRELLIS_COMB"] == (2230, 83640)
    assert rep.utilisation["TRELLIS_FF"] == (3078, 83640)
    assert rep.utilisation["DP16KD"] == (6, 208)
    assert rep.utilisation["MULT18X18D"] == (9, 156)
    util = rep.utilisation_dict()
    assert util["MULT18X18D"] == {"used": 9, "available": 156}


def test_last_fmax_wins_and_domains_by_frequency():
    rep = parse_nextpnr_log(LOG, TARGETS)
    assert set(rep.clocks) == {"sync", "audio"}
    assert rep.clocks["sync"].fmax_mhz == 88.02 and not rep.clocks["sync"].passed
    assert rep.clocks["audio"].fmax_mhz == 201.50 and rep.clocks["audio"].passed
    assert rep.clocks["sync"].target_mhz == 91.31
    assert rep.timing_met is False


def test_timing_met_when_all_pass():
    rep = parse_nextpnr_log(LOG.replace("88.02 MHz (FAIL", "95.00 MHz (PASS"), TARGETS)
    assert rep.timing_met is True
    assert rep.clocks["sync"].to_dict()["slack_mhz"] == pytest.approx(95.00 - 91.31)


def test_derived_target_rounding_still_names_the_domain():
    # nextpnr's own figures for Tiliqua: 90 MHz derived from 48 MHz is printed as 90.01.
    log = LOG.replace("PASS at 49.16 MHz", "PASS at 49.15 MHz").replace("at 91.31 MHz", "at 90.01 MHz")
    rep = parse_nextpnr_log(log, {"sync": 90e6, "audio": 49_151_999.94})
    assert set(rep.clocks) == {"sync", "audio"} and rep.clocks["sync"].target_mhz == 90.01


def test_names_without_targets():
    rep = parse_nextpnr_log(LOG)
    assert "audio" in rep.clocks                    # guessed from the net name
    assert "$glbnet$audio_path.dry_fifo.clk" in rep.clocks


def test_unfinished_logs_are_errors():
    with pytest.raises(ReportError, match="utilisation"):
        parse_nextpnr_log("Info: reading JSON\nERROR: something\n")
    with pytest.raises(ReportError, match="Max frequency"):
        parse_nextpnr_log(LOG.split("Info: Placed")[0])
