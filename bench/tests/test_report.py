"""The report writer on synthetic results: tables, targets and the plot, without any place-and-route."""

from __future__ import annotations

import json

from bench.entries import _capacity_helps, derived
from bench.fpga import parse_yosys_stats
from bench.report import check_targets, estimate_rows, markdown, write_outputs


def _build(params_figures, *, fmax, multipliers, luts, ffs=1000, brams=4, met=None):
    build = {"multipliers": multipliers, "luts": luts, "ffs": ffs, "block_rams": brams, "fmax_mhz": fmax,
             "timing_met": fmax >= 100 if met is None else met, "pnr_seconds": 10.0}
    build.update(derived(params_figures, build))
    return build


def _synthetic_report():
    small = {"config": "a.toml", "params": 1377, "macs_per_sample": 1344, "cycles_per_sample": 519,
             "cycle_budget": 520}
    big = {"config": "b.toml", "params": 13057, "macs_per_sample": 12928, "cycles_per_sample": 519,
           "cycle_budget": 520}
    small["builds"] = {"25f": _build(small, fmax=117.8, multipliers=4, luts=2060)}
    small["estimates"] = {"25f": {"multipliers": 4, "block_rams": 4, "luts": 2100, "ffs": 1100},
                          "85f": {"multipliers": 4, "block_rams": 4, "luts": 2100, "ffs": 1100}}
    big["builds"] = {"85f": _build(big, fmax=90.0, multipliers=26, luts=10000)}  # timing fails
    big["estimates"] = {"85f": {"multipliers": 26, "block_rams": 4, "luts": 13000, "ffs": 1000}}  # LUT +30 %
    return {"networks": {"clock_hz": 100_000_000, "sample_rate_hz": 192_000,
                         "networks": {"default": small, "big": big}},
            "networks_train": {"epochs": 6, "networks": {"default": {"params": 1377, "test_snr_db": {"a": 20.0}},
                                                           "big": {"params": 13057, "test_snr_db": {"a": 25.0}}}}}


def test_derived_throughput_is_capped_by_fmax():
    figures = {"macs_per_sample": 12928, "cycles_per_sample": 519}
    fast = derived(figures, {"fmax_mhz": 150.0, "multipliers": 26})
    slow = derived(figures, {"fmax_mhz": 50.0, "multipliers": 26})
    assert fast["max_sample_rate_hz"] == 100_000_000 // 519
    assert slow["max_sample_rate_hz"] == 50_000_000 // 519
    assert fast["multiplier_efficiency"] == round(12928 * 192_000 / (26 * 100e6), 3)


def test_targets_say_which_hold():
    targets = {t["target"].split(" ")[1]: t for t in check_targets(_synthetic_report())}
    assert targets["12,000"]["ok"] is False  # the 13k build failed timing
    assert targets["(prototype-size)"]["ok"] is True
    by_text = {t["target"][:20]: t for t in check_targets(_synthetic_report())}
    estimate = next(t for k, t in by_text.items() if k.startswith("estimate"))
    assert estimate["ok"] is False and "luts of big" in estimate["evidence"]
    efficiency = next(t for k, t in by_text.items() if k.startswith("multiplier"))
    assert "default on 25f" in efficiency["evidence"]  # the largest build that met timing


def test_estimate_rows_flag_the_20_percent_rule():
    rows = {(r["network"], r["resource"]): r for r in estimate_rows(_synthetic_report())}
    assert rows[("big", "luts")]["ok"] is False and abs(rows[("big", "luts")]["error"] - 0.3) < 1e-9
    assert rows[("default", "luts")]["ok"] is True
    assert rows[("default", "block_rams")]["error"] == 0


def test_markdown_and_plot_are_written(tmp_path):
    out = write_outputs(_synthetic_report(), tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "| default | 25f (abc9) | 1,377 | 1,344 | 4 | 2,060 |" in text
    assert "prototype F=16 (blog, 85F)" in text and "44,647" in text
    assert "**no**" in text  # the failing timing and the estimate outside 20 %
    assert (tmp_path / "bench.png").stat().st_size > 10_000
    json.dumps(out)  # JSON-serialisable for report.json


def test_markdown_survives_an_empty_or_failed_report():
    assert "Targets" in markdown({})
    report = _synthetic_report()
    report["networks"]["networks"]["big"]["builds"]["85f"] = {"error": "nextpnr-ecp5 failed"}
    assert "failed: nextpnr-ecp5 failed" in markdown(report)


def test_capacity_helps_compares_in_parameter_order():
    helps = _capacity_helps(_synthetic_report()["networks_train"]["networks"])
    assert helps["improves"] is True and helps["largest_minus_default_db"] == 5.0


def test_yosys_statistics_are_parsed():
    log = """
Printing statistics.

=== network ===

        4 MULT18X18D
     2827 TRELLIS_FF
        5 DP16KD
     1804 LUT4
      105 CCU2C
"""
    cells = parse_yosys_stats(log)
    assert cells == {"MULT18X18D": 4, "TRELLIS_FF": 2827, "DP16KD": 5, "LUT4": 1804, "CCU2C": 105}


def test_an_unfinished_route_reports_utilisation_and_the_placement_estimate(tmp_path):
    from bench.fpga import partial_result

    (tmp_path / "pnr.log").write_text(
        "Info: Device utilisation:\n"
        "Info: \t              DP16KD:      68/    208    32%\n"
        "Info: \t          MULT18X18D:      26/    156    16%\n"
        "Info: \t          TRELLIS_FF:   10712/  83640    12%\n"
        "Info: \t        TRELLIS_COMB:    6188/  83640     7%\n"
        "\n"
        "Info: Max frequency for clock '$glbnet$clk$TRELLIS_IO_IN': 137.91 MHz (PASS at 100.00 MHz)\n"
        "Info:      67000 |    13916      51348 |  544   455 |       278|     111.32     997.58|\n")
    partial = partial_result(tmp_path)
    assert partial["final"] is False and partial["timing_met"] is None and partial["fmax_mhz"] is None
    assert (partial["luts"], partial["block_rams"], partial["multipliers"]) == (6188, 68, 26)
    assert partial["placement_fmax_mhz"] == 137.91 and "278 overused" in partial["routing"]
    assert partial_result(tmp_path / "missing") is None
