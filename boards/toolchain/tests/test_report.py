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


# nextpnr-ecp5 0.11's critical path report, trimmed from a Tiliqua build's log (3 of its carry steps kept): the
# post-route report comes after the figures of the placement, whose report (made up here) must not be taken.
CRITICAL = """\
Info: Critical path report for clock '$glbnet$network_clk' (posedge -> posedge):
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source early.Q
Info:    routing  1.00  1.52 Net early (1,1) -> (2,2)
Info:                          Sink late.D
Info:      setup  0.00  1.52 Source late.DI
Info: 0.52 ns logic, 1.00 ns routing

Info: Routing..
Info: Critical path report for clock '$glbnet$network_clk' (posedge -> posedge):
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source audio_path.network.network.front_end.passthrough_TRELLIS_FF_Q_46.Q
Info:    routing  3.77  4.30 Net audio_path.network.network.front_end.passthrough[0][2] (52,5) -> (56,4)
Info:                          Sink audio_path.network.network.front_end.$signal_CCU2C_COUT_6$CCU2_COMB0.A
Info:                          Defined in:
Info:                               /home/user/waveshaper/rtl/front_end.py:110
Info:      logic  0.45  4.74 Source audio_path.network.network.front_end.$signal_CCU2C_COUT_6$CCU2_COMB0.FCO
Info:    routing  0.00  4.74 Net audio_path.network.network.front_end.$signal_CCU2C_COUT_6$CCU2_FCI_INT (56,4) -> (56,4)
Info:                          Sink audio_path.network.network.front_end.$signal_CCU2C_COUT_6$CCU2_COMB1.FCI
Info:                          Defined in:
Info:                               /home/user/waveshaper/rtl/front_end.py:129
Info:                               /share/lattice/arith_map_ccu2c.v:65.22-65.25
Info:      logic  0.44  7.30 Source audio_path.network.network.front_end.$signal_CCU2C_COUT_S1_CCU2C_S0$CCU2_COMB0.F
Info:    routing  0.89  8.19 Net audio_path.network.network.front_end.$signal_CCU2C_COUT_S1[16] (58,4) -> (58,5)
Info:                          Sink audio_path.network.network.front_end.$signal_LUT4_Z_3.D
Info:      logic  0.24  8.43 Source audio_path.network.network.front_end.$signal_LUT4_Z_3.F
Info:    routing  1.20  9.63 Net audio_path.network.network.front_end.$signal_D[3] (58,5) -> (63,5)
Info:                          Sink audio_path.network.network.front_end.$signal_LUT4_Z.D
Info:                          Defined in:
Info:                               /share/lattice/cells_map_trellis.v:108.23-108.24
Info:      logic  0.24  9.86 Source audio_path.network.network.front_end.$signal_LUT4_Z.F
Info:    routing  0.13  9.99 Net audio_path.network.network.front_end.$signal_TRELLIS_FF_Q_DI (63,5) -> (63,5)
Info:                          Sink audio_path.network.network.front_end.$signal_TRELLIS_FF_Q.DI
Info:      setup  0.00  9.99 Source audio_path.network.network.front_end.$signal_TRELLIS_FF_Q.DI
Info: 3.20 ns logic, 6.79 ns routing

Info: Critical path report for cross-domain path 'posedge $glbnet$clk' -> 'posedge $glbnet$network_clk':
Info:       type curr  total name
Info:   clk-to-q  0.52  0.52 Source crossing.Q
Info: 0.52 ns logic, 0.00 ns routing

Info: Max frequency for clock   '$glbnet$audio_clk': 112.11 MHz (PASS at 49.15 MHz)
Warning: Max frequency for clock '$glbnet$network_clk': 100.05 MHz (FAIL at 105.01 MHz)
Info: Max frequency for clock         '$glbnet$clk': 97.25 MHz (PASS at 90.01 MHz)
"""


def test_slack_in_ns_and_per_cent_of_the_period():
    rep = parse_nextpnr_log(LOG + CRITICAL, {**TARGETS, "network": 105e6})
    network = rep.clocks["network"].to_dict()
    assert network["slack_mhz"] == pytest.approx(100.05 - 105.01)
    # 1000 / 105.01 - 1000 / 100.05 ns: the critical path (9.995 ns) is 0.47 ns longer than the period
    assert network["slack_ns"] == pytest.approx(-0.472, abs=1e-3)
    assert network["slack_percent"] == pytest.approx(-4.96, abs=0.01)
    audio = rep.clocks["audio"].to_dict()
    assert audio["slack_ns"] == pytest.approx(1000 / 49.15 - 1000 / 112.11, abs=1e-3)
    assert audio["slack_percent"] == pytest.approx(100 * (1 - 49.15 / 112.11), abs=0.01)


def test_the_post_route_critical_path_of_each_clock(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    log = LOG + CRITICAL.replace("/home/user/waveshaper", str(tmp_path), 1)  # front_end.py:110 under the cwd
    rep = parse_nextpnr_log(log, {**TARGETS, "network": 105e6})
    assert set(rep.critical_paths) == {"network"}  # cross-domain reports are not a clock's
    path = rep.critical_paths["network"]
    assert path.source == "audio_path.network.network.front_end.passthrough_TRELLIS_FF_Q_46.Q"
    assert path.sink == "audio_path.network.network.front_end.$signal_TRELLIS_FF_Q.DI"
    assert (path.delay_ns, path.logic_ns, path.routing_ns) == (9.99, 3.20, 6.79)
    assert path.longest_net == "audio_path.network.network.front_end.passthrough[0][2]"
    assert path.longest_net_ns == 3.77 and path.longest_net_span == ((52, 5), (56, 4))
    assert path.steps == 11
    # the design's own lines (relative when under the working directory), not the tools' cell libraries
    assert path.defined_in == ("rtl/front_end.py:110", "/home/user/waveshaper/rtl/front_end.py:129")
    assert path.to_dict()["longest_net_span"] == [[52, 5], [56, 4]]
