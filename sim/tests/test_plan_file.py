"""``python -m sim`` refuses a ``plan.json`` it cannot trust, before it builds anything: one that does not parse,
one written by an older version (no ``format``: its reset and front-end cycles would read back as 0), one with
a field missing, of the wrong type or out of range, and one of another network. Exit status 2, the file and
the field named, no traceback; ``rtl.plan.Plan.from_json`` raises the same ``PlanError``."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from common.config import LayerConfig, ModelConfig
from quantize.weights import random_network
from rtl.plan import PLAN_FORMAT, Plan, PlanError, make_plan
from sim.__main__ import main

CONFIG = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 2)), name="plan_file")


def _plan():
    return make_plan(CONFIG, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=8)


def _unversioned(data):  # as plans were written before the format field
    del data["format"]


def _older_fields(data):  # an older plan: no reset or front-end cycles at all
    for key in ("format", "reset_cycles", "front_end_cycles", "front_end_latency", "front_end_multipliers"):
        del data[key]


@pytest.mark.parametrize("change, message", [
    (_unversioned, r"plan\.json has no 'format' field: it was written by another version of the generator"),
    (_older_fields, r"plan\.json has no 'format' field"),
    (lambda d: d.update(format="waveshaper-plan/1"), r"plan\.json has format 'waveshaper-plan/1'"),
    (lambda d: d.update(reset_cycles=0), r"plan\.json: reset_cycles: must be at least 1 \(the input is held"),
    (lambda d: d.update(front_end_cycles=0), r"plan\.json: front_end_cycles: must be at least 1, got 0"),
    (lambda d: d.pop("front_end_latency"), r"plan\.json: front_end_latency: missing"),
    (lambda d: d.update(cycles_per_sample="520"), r"plan\.json: cycles_per_sample: must be a non-negative integer, "
                                                   r"got '520'"),
    (lambda d: d.update(clock_hz=True), r"plan\.json: clock_hz: must be a non-negative integer, got True"),
    (lambda d: d.update(layers=[]), r"plan\.json: layers: must be a non-empty list of layer plans"),
    (lambda d: d["layers"][1].pop("lanes"), r"plan\.json: layers\[1\]\.lanes: missing"),
    (lambda d: d["layers"][0].update(cache_kind="lut"), r"plan\.json: layers\[0\]\.cache_kind: must be "),
    (lambda d: d.update(bogus=1), r"plan\.json: bogus: unknown plan field"),
    (lambda d: d.update(cycle_budget=7), r"plan\.json: cycle_budget: 7 is not clock_hz // sample_rate_hz = 520"),
    (lambda d: d.update(estimate={"network": 3}), r"plan\.json: estimate: not a resource estimate"),
])
def test_untrusted_plans_are_refused(tmp_path, change, message):
    _plan().to_json(tmp_path / "plan.json")
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["format"] == PLAN_FORMAT
    change(data)
    (tmp_path / "plan.json").write_text(json.dumps(data))
    with pytest.raises(PlanError, match=message):
        Plan.from_json(tmp_path / "plan.json")


def _rtl_dir(tmp_path, plan_text: str | None = None):
    net = random_network(CONFIG, np.random.default_rng(9))
    net.save(tmp_path / "weights")
    rtl = tmp_path / "rtl"
    rtl.mkdir()
    (rtl / "network.v").write_text("// never read: the plan is refused first\n")
    _plan().to_json(rtl / "plan.json")
    if plan_text is not None:
        (rtl / "plan.json").write_text(plan_text)
    return ["--rtl", str(rtl), "--weights", str(tmp_path / "weights"), "--out", str(tmp_path / "out")]


@pytest.mark.parametrize("plan_text, message", [
    ("{\"cycle_budget\": ", "plan.json: not valid JSON"),
    ("[1, 2, 3]", "plan.json: not a plan (a JSON object)"),
    ("{}", "plan.json has no 'format' field"),
])
def test_cli_refuses_a_malformed_plan(tmp_path, capsys, plan_text, message):
    assert main(_rtl_dir(tmp_path, plan_text)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "rerun `make rtl`" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_cli_refuses_an_old_plan_and_the_plan_of_another_network(tmp_path, capsys):
    argv = _rtl_dir(tmp_path)
    data = json.loads((tmp_path / "rtl" / "plan.json").read_text())
    _older_fields(data)
    (tmp_path / "rtl" / "plan.json").write_text(json.dumps(data))
    assert main(argv) == 2
    assert "plan.json has no 'format' field" in capsys.readouterr().err
    other = make_plan(CONFIG.replace(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 4))), clock_hz=100_000_000,
                      sample_rate_hz=192_000, multipliers=8)
    other.to_json(tmp_path / "rtl" / "plan.json")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "is not the plan of" in err and "plan layer 1 does not match the network's config" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("field, value, message", [
    # the front end of CONFIG's default inputs divides: 6 stages to the divisor and 25 + 1 quotient bits
    ("front_end_cycles", 6, r"front_end_cycles: the plan says 6, but this network's hardware takes 32"),
    ("front_end_latency", 4, r"front_end_latency: the plan says 4, but this network's hardware takes 5"),
    ("front_end_multipliers", 0, r"front_end_multipliers: the plan says 0, but this network's hardware takes 2"),
    # layer 1 (K=2, d=2: 4 slots x 4 channel words = 16 RAM words) leaves reset 2 cycles late, then clears
    ("reset_cycles", 3, r"reset_cycles: the plan says 3, but this network's hardware takes 18"),
])
def test_cli_refuses_a_plan_whose_cycles_are_not_the_hardware_s(tmp_path, capsys, field, value, message):
    argv = _rtl_dir(tmp_path)
    data = json.loads((tmp_path / "rtl" / "plan.json").read_text())
    data[field] = value
    (tmp_path / "rtl" / "plan.json").write_text(json.dumps(data))
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
