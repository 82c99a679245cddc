"""The report writer on synthetic results: the one table of size, sound and hardware beside the prototype,
the targets, the estimate against nextpnr, without any build."""

from __future__ import annotations

from bench.report import check_targets, estimate_rows, markdown, timing_lines, write_outputs


def _row(config, board, params, *, met, fmax, luts=5000, estimate_luts=5200):
    total = {"luts": estimate_luts, "ffs": 9000, "block_rams": 30, "multipliers": 25}
    return {"config": config, "board": board, "params": params, "macs_per_sample": params - 100,
            "timing_met": met, "network_fmax_mhz": fmax, "network_target_mhz": 108.0,
            "capacity": {"multipliers": 19, "multiplier_budget": 22, "capacity_macs_per_sample": 10697,
                         "physical_limit_macs_per_sample": 12391, "efficiency": 0.84},
            "utilisation": {"TRELLIS_COMB": luts, "TRELLIS_FF": 10000, "DP16KD": 30, "MULT18X18D": 25},
            "estimate": {"total": total}, "synthesis_place_route_seconds": 300.0}


def _report():
    return {
        "boards": {"rows": {
            "colorlight_i5@colorlight_i5": _row("configs/colorlight_i5.toml", "colorlight_i5", 9057, met=True,
                                               fmax=112.3),
            "ecpix5@ecpix5": _row("configs/ecpix5.toml", "ecpix5", 50945, met=False, fmax=120.0, luts=20000,
                                  estimate_luts=26000),
        }},
        "snr": {"networks": {"colorlight_i5": {"test_snr_db": {"all": 12.34}, "command": "make train ..."},
                             "ecpix5": {"test_snr_db": None, "command": "make train CONFIG=configs/ecpix5.toml"}}},
        "boards_sim": {"networks": {"ecpix5": {"samples": 10000, "bit_exact": True}}},
        "lut_model": {"held_out": [{"network": "a", "estimate": 110, "measured": 100, "error": 0.1},
                                   {"network": "b", "estimate": 80, "measured": 100, "error": -0.2}], "ok": False,
                      "calibration": []},
    }


def test_targets_say_which_hold_and_why():
    targets = {t["target"]: t for t in check_targets(_report())}
    ecpix5 = targets[">= 50,000 params on ecpix5 at 192 kHz, timing met, full bitstream"]
    assert ecpix5["ok"] is False and "timing NOT met" in ecpix5["evidence"]
    assert targets[">= 8,000 params on colorlight_i5 at 192 kHz, timing met, full bitstream"]["ok"] is True
    sim = targets["largest network bit-exact in cocotb over >= 10,000 samples"]
    assert sim["ok"] is True and "ecpix5: 10,000 samples" in sim["evidence"]
    lut = targets["LUT model within 15% on every held-out network"]
    assert lut["ok"] is False and "worst b" in lut["evidence"]


def test_estimate_rows_are_signed_relative_errors():
    rows = {(r["build"], r["resource"]): r for r in estimate_rows(_report())}
    assert rows[("ecpix5@ecpix5", "luts")]["error"] == (26000 - 20000) / 20000
    assert rows[("colorlight_i5@colorlight_i5", "block_rams")]["error"] == 0


def test_markdown_has_one_table_with_sound_and_the_prototype(tmp_path):
    write_outputs(_report(), tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "| colorlight_i5 | colorlight_i5 | 9,057 | 8,957 | 12.3 | 19 of 22 | 108.00 (112.3) | 10,697 (12,391) | " \
           "0.84 | 5,000 | 10,000 | 30 | 25 | yes | 300.0 |" in text
    assert "| ecpix5 | ecpix5 | 50,945 | 50,845 | - |" in text and "**no**" in text
    assert "prototype F=16 (its blog)" in text and "44,647" in text
    assert "`make train CONFIG=configs/ecpix5.toml`" in text


def test_markdown_survives_an_empty_or_failed_report():
    assert "Targets" in markdown({})
    report = _report()
    report["boards"]["rows"]["ecpix5@ecpix5"] = {"error": "nextpnr-ecp5 failed\nlog ..."}
    assert "failed: nextpnr-ecp5 failed |" in markdown(report)


def _clock(fmax, target):
    return {"fmax_mhz": fmax, "target_mhz": target, "met": fmax >= target,
            "slack_ns": round(1000 / target - 1000 / fmax, 3), "slack_percent": round(100 * (1 - target / fmax), 2)}


def test_timing_margin_gives_the_model_the_slack_and_the_cross_check():
    report = _report()
    row = report["boards"]["rows"]["ecpix5@ecpix5"]
    row.update(device="LFE5UM5G-85F-8 CABGA554", timing_model="8_5G",
               clocks={"network": _clock(120.0, 106.52), "sync": _clock(140.4, 91.31)},
               critical_paths={"network": {"source": "a.Q", "sink": "b.DI", "delay_ns": 8.33, "logic_ns": 2.0,
                                           "routing_ns": 6.33, "longest_net_ns": 3.1}},
               cross_check={"device": "LFE5UM-85F-8 CABGA554", "timing_model": "8",
                            "clocks": {"network": _clock(99.0, 106.52), "sync": _clock(120.0, 91.31)}})
    lines = timing_lines(report)
    assert ("| ecpix5@ecpix5 | LFE5UM5G-85F-8 CABGA554 (8_5G) | network | 120.0 / 106.52 | +1.05 | +11.2 | "
            "a.Q -> b.DI, 8.33 ns (6.33 routing; longest 3.10) | 99.0 (-7.6) **fails** |") in lines
    assert "| ecpix5@ecpix5 | LFE5UM5G-85F-8 CABGA554 (8_5G) | sync | 140.4 / 91.31 | +3.83 | +35.0 | - | " \
           "120.0 (+23.9) |" in lines
    # a row of an older report, without the model and the slack, shows "-", not a number
    report["boards"]["rows"]["colorlight_i5@colorlight_i5"]["clocks"] = {
        "network": {"fmax_mhz": 112.3, "target_mhz": 108.0, "met": True}}
    assert "| colorlight_i5@colorlight_i5 | - (-) | network | 112.3 / 108.00 | - | - | - | - |" in timing_lines(report)
    assert "## Timing margin" in markdown(report)
