"""The plan's resource estimate on what the boards build: the shipped configs (``configs/*.toml``), each planned
at its own board's network clock and codec rate, front end and its divider included, against yosys' counts of
the same designs (``bench/shipped_synthesis.json``, synthesis only, written by ``python -m bench.lut_model
shipped``). LUTs within 10 %, flip-flops within 5 %, block RAMs and multipliers exactly.

The slow test synthesises the smallest shipped config again (seconds) and compares both the estimate and the
committed counts with what yosys gives now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.lut_model import (
    SHIPPED,
    SHIPPED_COMMAND,
    SHIPPED_FF_TOLERANCE,
    SHIPPED_FILE,
    SHIPPED_LUT_TOLERANCE,
    check_shipped,
    counted,
    measure_shipped,
)
from boards.eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from common.config import load_config

ROOT = Path(__file__).resolve().parents[2]


def _records() -> dict:
    return json.loads(SHIPPED_FILE.read_text())


def test_every_shipped_config_is_measured_at_its_board():
    records = _records()
    assert records["command"] == SHIPPED_COMMAND
    measured = {(r["config"], r["board"]) for r in records["networks"]}
    assert measured == set(SHIPPED)
    # every config a board can build: those at the codec's rate (configs/daisy.toml is the Cortex-M7's, at
    # 96 kHz, which the board build refuses)
    board_configs = {f"configs/{p.name}" for p in (ROOT / "configs").glob("*.toml")
                     if load_config(p).sample_rate_hz == CODEC_SAMPLE_RATE_HZ}
    assert {config for config, _ in SHIPPED} == board_configs
    assert "configs/daisy.toml" not in board_configs and len(board_configs) == 3


@pytest.mark.parametrize("row", check_shipped(_records()), ids=lambda row: row["network"])
def test_estimate_matches_the_synthesised_shipped_network(row):
    estimate, measured, error = row["estimate"], row["measured"], row["error"]
    print(f"{row['network']}: estimate {estimate}, yosys {measured}")
    assert abs(error["luts"]) <= SHIPPED_LUT_TOLERANCE, (estimate["luts"], measured["luts"])
    assert abs(error["ffs"]) <= SHIPPED_FF_TOLERANCE, (estimate["ffs"], measured["ffs"])
    assert estimate["block_rams"] == measured["block_rams"]
    assert estimate["multipliers"] == measured["multipliers"]


def test_the_flip_flop_estimate_counts_the_front_end():
    """The shipped front end (seven inputs, the divider) is about 600 flip-flops: the measured networks hold
    them, and without them the estimate falls outside the tolerance on the default network."""
    rows = check_shipped(_records())
    default = next(row for row in rows if row["network"] == "default@ecpix5")
    assert 550 <= default["front_end_ffs"] <= 650
    without = default["estimate"]["ffs"] - default["front_end_ffs"]
    assert abs(without - default["measured"]["ffs"]) / default["measured"]["ffs"] > SHIPPED_FF_TOLERANCE


@pytest.mark.slow
def test_smallest_shipped_config_synthesised_again(tmp_path):
    """The default config on the ECPIX-5 (about 10 s of yosys): the estimate within the tolerances of what
    yosys gives now, and the committed counts still what yosys gives (else rerun the command)."""
    entry = ("configs/default.toml", "ecpix5")
    fresh = measure_shipped(tmp_path, entries=(entry,))
    row = check_shipped(fresh)[0]
    assert abs(row["error"]["luts"]) <= SHIPPED_LUT_TOLERANCE
    assert abs(row["error"]["ffs"]) <= SHIPPED_FF_TOLERANCE
    committed = next(r for r in _records()["networks"] if (r["config"], r["board"]) == entry)
    assert committed["measured"] == fresh["networks"][0]["measured"], f"stale: rerun `{SHIPPED_COMMAND}`"
    assert counted(fresh["networks"][0]["cells"]).to_dict() == fresh["networks"][0]["measured"]
