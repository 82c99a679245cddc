"""The bench dispatcher: entries run by name, results merged into the report, unknown names refused."""

from __future__ import annotations

import json

import pytest

from bench import registry
from bench.__main__ import main, run


@pytest.fixture
def fake_registry(monkeypatch):
    entries = {}
    monkeypatch.setattr(registry, "BENCHES", entries)
    monkeypatch.setattr(registry, "ENTRY_MODULES", [])
    registry.bench("alpha", "first")(lambda: {"value": 1})
    registry.bench("beta")(lambda: {"value": 2})
    return entries


def test_entries_run_and_merge_into_the_report(fake_registry, tmp_path):
    report_path = tmp_path / "bench" / "report.json"
    report_path.parent.mkdir()
    report_path.write_text(json.dumps({"older": {"kept": True}, "alpha": {"value": 0}}))
    run(["alpha"], report_path)
    report = json.loads(report_path.read_text())
    assert report["older"] == {"kept": True} and report["alpha"]["value"] == 1 and "beta" not in report
    run([], report_path)  # all entries
    assert json.loads(report_path.read_text())["beta"]["value"] == 2


def test_unknown_entry_and_duplicates_are_refused(fake_registry, tmp_path, capsys):
    assert main(["gamma", "--report", str(tmp_path / "r.json")]) == 2
    assert "unknown bench entry ['gamma']; available: ['alpha', 'beta']" in capsys.readouterr().err
    with pytest.raises(ValueError, match="registered twice"):
        registry.bench("alpha")(lambda: {})


def test_non_dict_result_is_refused(fake_registry, tmp_path):
    registry.bench("broken")(lambda: 3)
    with pytest.raises(TypeError, match="expected a dict"):
        run(["broken"], tmp_path / "r.json")


def test_golden_entry_reports_a_realtime_factor():
    from bench.golden_speed import golden

    assert "golden" in registry.load_entries()
    result = golden(seconds=0.05, repeats=3)
    assert result["realtime_factor"] > 0 and result["sample_rate_hz"] == 192_000 and result["threads"] == 1
