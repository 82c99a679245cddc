"""Tiliqua's housekeeping in ``amaranth.sim``: hold to reboot with the mute ahead of it, and the PDN latch."""

from __future__ import annotations

import pytest
from amaranth.sim import Simulator

from boards.tests.helpers import unelaborated
from boards.tiliqua.housekeeping import TiliquaHousekeeping


def _housekeeping(press_cycles, total, *, codec_pdn=1):
    dut = TiliquaHousekeeping(1000, hold_s=3.0, mute_s=2.5, pdn_clock_bits=3)  # 3000 / 2500 cycles
    sim = Simulator(dut)
    sim.add_clock(1e-3, domain="sync")
    rows = []

    async def bench(ctx):
        ctx.set(dut.codec_pdn, codec_pdn)
        for cycle in range(total):
            ctx.set(dut.button, int(cycle < press_cycles))
            await ctx.tick()
            rows.append({k: ctx.get(getattr(dut, k)) for k in ("programn", "mute", "pdn_d", "pdn_clk")})

    sim.add_testbench(bench)
    sim.run()
    return rows


def test_holding_the_encoder_mutes_then_reconfigures():
    rows = _housekeeping(press_cycles=4000, total=3100)
    first_mute = next(i for i, r in enumerate(rows) if r["mute"])
    first_prog = next(i for i, r in enumerate(rows) if r["programn"])
    assert 2495 <= first_mute <= 2505 and 2995 <= first_prog <= 3005
    assert all(r["pdn_d"] for r in rows[100:first_mute])          # running: the latch follows PDN = 1
    assert not any(r["pdn_d"] for r in rows[first_mute + 20:])     # muted before PROGRAMN
    assert all(r["programn"] for r in rows[first_prog:])


def test_releasing_early_cancels_but_not_after_the_mute():
    assert not any(r["programn"] or r["mute"] for r in _housekeeping(press_cycles=2000, total=3500))
    late = _housekeeping(press_cycles=2600, total=3200)             # released after the mute point
    assert any(r["programn"] for r in late)


def test_pdn_latch_data_changes_only_while_its_clock_is_low():
    rows = _housekeeping(press_cycles=4000, total=3100)
    clock = [r["pdn_clk"] for r in rows]
    assert 0 < sum(clock) < len(clock) and clock[:16] != [clock[0]] * 16   # it toggles
    for i in range(1, len(rows)):
        if rows[i]["pdn_d"] != rows[i - 1]["pdn_d"]:
            assert clock[i] == 0 and clock[i - 1] == 0
    assert not any(r["pdn_d"] for r in _housekeeping(press_cycles=0, total=200, codec_pdn=0))


@unelaborated()
def test_housekeeping_rejects_bad_times():
    with pytest.raises(ValueError, match="need 0 < mute_s < hold_s"):
        TiliquaHousekeeping(1e6, hold_s=2.0, mute_s=2.5)
