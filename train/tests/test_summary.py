"""``python -m train.summary``: the sound table's rows from training reports, and clear errors."""

from __future__ import annotations

import json

from train.summary import HEADER, main


def _report(**changes):
    report = {"config": "colorlight_i5", "params": 9313, "recipe": "default", "wall_seconds": 1500.0,
              "score_seconds": 120.0, "cpu_seconds": 2700.0, "init_from": None,
              "golden": {"test_snr_db": {"all": 33.84}, "imperfect_test_snr_db": {"all": 28.81},
                         "audible_snr_db": {"all": 36.02},
                         "worst_cell": {"band": "1760-4186", "group": "blend", "snr_db": 28.2},
                         "dev": {"test_snr_db": {"all": 33.5}}}}
    report.update(changes)
    return report


def test_a_row_per_training(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "report.json").write_text(json.dumps(_report()))
    (tmp_path / "b").mkdir()
    grown = _report(config="ecpix5", params=51457, recipe="grow", init_from={"config": "colorlight_i5"})
    (tmp_path / "b" / "report.json").write_text(json.dumps(grown))
    assert main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "\n".join(lines[:2]) == HEADER
    assert lines[2] == ("| colorlight_i5 | 9,313 | default | **33.8** | 28.2 (blend, 1760-4186 Hz) | 28.8 | 36.0 "
                        "| 33.5 | 27.0 min (45.0 min) |")
    assert lines[3].startswith("| ecpix5 | 51,457 | grow, grown from colorlight_i5 | **33.8** |")


def test_a_worst_cell_over_fewer_cells_says_which_are_missing(tmp_path, capsys):
    report = _report()
    report["golden"]["worst_cell"]["missing"] = ["blend 1760-4186"]
    (tmp_path / "report.json").write_text(json.dumps(report))
    assert main([str(tmp_path)]) == 0
    assert "| 28.2 (blend, 1760-4186 Hz; no take reached blend 1760-4186 Hz) |" in capsys.readouterr().out


def test_missing_or_unscored_reports_are_named(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert f"{tmp_path / 'report.json'} is missing: train there first" in capsys.readouterr().err
    (tmp_path / "report.json").write_text(json.dumps(_report(golden=None)))
    assert main([str(tmp_path)]) == 2
    assert "it has no golden-model figures: run `python -m quantize.score" in capsys.readouterr().err
    (tmp_path / "report.json").write_text("{")
    assert main([str(tmp_path)]) == 2
    assert "not a training report" in capsys.readouterr().err
