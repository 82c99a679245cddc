"""I2CMaster on its own: byte commands against the target model, ACK/NACK reporting, SCL timing."""

from __future__ import annotations

from itertools import pairwise

from amaranth.sim import Simulator

from ..i2c_master import I2CMaster, I2COp
from .model import I2CTargetModel

DIVIDER = 6


def run(commands, devices, *, stretch_timeout=1 << 16, limit=20_000, **model_kwargs):
    dut = I2CMaster(divider=DIVIDER, stretch_timeout=stretch_timeout)
    model = I2CTargetModel(scl_oe=dut.scl_oe, sda_oe=dut.sda_oe, scl_i=dut.scl_i, sda_i=dut.sda_i,
                           devices=devices, **model_kwargs)
    responses = []
    scl_rises = []

    async def bench(ctx):
        for op, data, ack in commands:
            ctx.set(dut.cmd.payload, {"op": op, "data": data, "ack": ack})
            ctx.set(dut.cmd.valid, 1)
            _, _, accepted = await ctx.tick().sample(dut.cmd.ready)
            assert accepted                 # the master is idle between commands
            ctx.set(dut.cmd.valid, 0)
            ctx.set(dut.rsp.ready, 1)
            for _ in range(limit):          # bounded: a hanging master fails the test
                _, _, rsp_valid, payload = await ctx.tick().sample(dut.rsp.valid, dut.rsp.payload)
                if rsp_valid:
                    responses.append((payload.data, payload.ack))
                    break
            else:
                raise AssertionError(f"no response to {op} within {limit} cycles")
            ctx.set(dut.rsp.ready, 0)

    async def watch(ctx):
        cycle, prev = 0, 1
        async for _, _, scl in ctx.tick().sample(dut.scl_i):
            if scl and not prev:
                scl_rises.append(cycle)
            prev, cycle = scl, cycle + 1

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_process(model.process)
    sim.add_testbench(watch, background=True)
    sim.add_testbench(bench)
    sim.run()
    return model, responses, scl_rises


def test_write_read_and_nack():
    commands = [
        (I2COp.START, 0, 0), (I2COp.WRITE, 0x20, 0), (I2COp.WRITE, 0x05, 0), (I2COp.WRITE, 0x9C, 0),
        (I2COp.WRITE, 0x3B, 0), (I2COp.STOP, 0, 0),
        (I2COp.START, 0, 0), (I2COp.WRITE, 0x20, 0), (I2COp.WRITE, 0x05, 0),
        (I2COp.START, 0, 0), (I2COp.WRITE, 0x21, 0), (I2COp.READ, 0, 1), (I2COp.READ, 0, 0), (I2COp.STOP, 0, 0),
        (I2COp.START, 0, 0), (I2COp.WRITE, 0x42, 0), (I2COp.STOP, 0, 0),      # 0x21: nobody there
    ]
    model, responses, _ = run(commands, {0x10: {}})
    acks = [ack for (op, _, _), (_, ack) in zip(commands, responses, strict=True) if op == I2COp.WRITE]
    assert acks == [1, 1, 1, 1, 1, 1, 1, 0]
    reads = [data for (op, _, _), (data, _) in zip(commands, responses, strict=True) if op == I2COp.READ]
    assert reads == [0x9C, 0x3B]
    assert model.writes == [(0x10, 0x05, 0x9C), (0x10, 0x06, 0x3B)]
    summary = [(t.addr, t.read, t.acked, t.data, t.stopped) for t in model.transactions]
    assert summary == [
        (0x10, False, True, [0x05, 0x9C, 0x3B], True),
        (0x10, False, True, [0x05], False),
        (0x10, True, True, [0x9C, 0x3B], True),
        (0x21, False, False, [], True),
    ]
    assert model.starts == 4 and model.stops == 3


def test_scl_rate_from_divider():
    _, _, rises = run([(I2COp.START, 0, 0), (I2COp.WRITE, 0xFF, 0), (I2COp.STOP, 0, 0)], {})
    periods = [b - a for a, b in pairwise(rises)]
    assert len(periods) == 9          # 9 clocks in the byte + the STOP's SCL release
    # Four quarters of DIVIDER cycles plus the read-back latency of the stretch check (<= 4 cycles).
    for p in periods[:8]:
        assert 4 * DIVIDER <= p <= 4 * DIVIDER + 4, periods


def test_clock_stretching_is_honoured():
    stretch = 25
    commands = [(I2COp.START, 0, 0), (I2COp.WRITE, 0x20, 0), (I2COp.WRITE, 0x01, 0), (I2COp.WRITE, 0x5A, 0),
                (I2COp.STOP, 0, 0), (I2COp.START, 0, 0), (I2COp.WRITE, 0x20, 0), (I2COp.WRITE, 0x01, 0),
                (I2COp.START, 0, 0), (I2COp.WRITE, 0x21, 0), (I2COp.READ, 0, 0), (I2COp.STOP, 0, 0)]
    model, responses, rises = run(commands, {0x10: {}}, stretch_s=stretch * 1e-8)
    assert model.stretches > 30
    assert model.writes == [(0x10, 0x01, 0x5A)]
    assert responses[10] == (0x5A, 0)
    assert all(ack == 1 for (op, _, _), (_, ack) in zip(commands, responses, strict=True) if op == I2COp.WRITE)
    periods = [b - a for a, b in pairwise(rises)]
    assert min(periods[:8]) >= 4 * DIVIDER + stretch


def test_stuck_scl_is_bounded():
    """SCL held low by a broken target: every command still completes (stretch timeout), as NACKs."""
    commands = [(I2COp.START, 0, 0), (I2COp.WRITE, 0x20, 0), (I2COp.STOP, 0, 0)]
    model, responses, _ = run(commands, {0x10: {}}, stretch_timeout=40, limit=2_000, scl_stuck_low=True)
    assert responses == [(0, 1), (0, 0), (0, 1)]
    assert model.transactions == []
