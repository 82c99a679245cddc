"""CodecInit + I2CMaster against the I2C target model: sequence, values, 192 kHz, NACK handling."""

from __future__ import annotations

from amaranth.sim import Simulator

from .helpers import HW_AK4619_192K, InitHarness, wait_for
from .model import I2CTargetModel

JACKS = 0xA5
TIMING = dict(power_up_delay=200, settle_delay=30, retry_delay=300, poll_delay=100)


def make(jacks=JACKS, **kwargs):
    dut = InitHarness(**{**TIMING, **kwargs})
    model = I2CTargetModel(scl_oe=dut.i2c.scl_oe, sda_oe=dut.i2c.sda_oe, scl_i=dut.i2c.scl_i,
                           sda_i=dut.i2c.sda_i, devices={0x10: {}, 0x18: {0x00: jacks, 0x02: 0xF0}})
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_process(model.process)
    return dut, model, sim


def expected_init():
    """(addr, read, data, stopped) of the init transactions, built from the table of docs/eurorack-pmod.md §5."""
    burst = list(HW_AK4619_192K)
    burst[0x00] = 0x36      # RSTN = 0 first (§7.4)
    burst[0x14] = 0x3A      # soft mute on first (§5, §7.4)
    return [
        (0x10, False, [0x00, *burst], True),
        (0x10, False, [0x00, 0x37], True),
        (0x10, False, [0x14, 0x0A], True),
    ]


def expected_jack_loop(jacks=JACKS):
    return [
        (0x18, False, [0x02, 0x00], True),
        (0x18, False, [0x00], False),
        (0x18, True, [jacks], True),
    ]


def summary(transactions):
    return [(t.addr, t.read, t.data, t.stopped) for t in transactions if t.acked]


def test_init_sequence_values_and_jack_loop():
    dut, model, sim = make()
    seen = {}

    async def bench(ctx):
        # PDN is low while in reset, and no bus activity happens.
        ctx.set(dut.cd_sync.rst, 1)
        for _ in range(20):
            await ctx.tick()
            assert ctx.get(dut.init.pdn) == 0
            assert ctx.get(dut.i2c.scl_oe) == 0 and ctx.get(dut.i2c.sda_oe) == 0
        ctx.set(dut.cd_sync.rst, 0)
        await ctx.tick()
        await ctx.tick()
        assert ctx.get(dut.init.pdn) == 1
        # Nothing on the bus before the power-up delay has passed.
        seen["first_activity"] = await wait_for(ctx, dut.i2c.sda_oe, 1, limit=5000)
        assert ctx.get(dut.init.ready) == 0
        await wait_for(ctx, dut.init.ready, 1, limit=40_000)
        seen["writes_at_ready"] = list(model.writes)
        # Two full jack-loop iterations.
        await wait_for(ctx, dut.init.jacks, JACKS, limit=10_000)
        while len(model.transactions) < 9:
            await ctx.tick()
        assert ctx.get(dut.init.error) == 0
        assert ctx.get(dut.init.nack_count) == 0
        assert ctx.get(dut.init.ready) == 1

    sim.add_testbench(bench)
    sim.run()

    assert seen["first_activity"] >= TIMING["power_up_delay"]
    got = summary(model.transactions)
    assert got[:3] == expected_init()
    assert got[3:9] == expected_jack_loop() * 2
    # Register writes in order: the mute/RSTN order of §7.4, then the jack-expander polarity.
    writes = seen["writes_at_ready"]
    assert writes[0] == (0x10, 0x00, 0x36)
    assert writes[0x14] == (0x10, 0x14, 0x3A)
    assert writes[21:] == [(0x10, 0x00, 0x37), (0x10, 0x14, 0x0A)]
    # Final codec state equals the table of docs/eurorack-pmod.md §5, including 192 kHz mode (reg 0x03 = 0x04).
    assert list(model.regs[0x10][0:21]) == HW_AK4619_192K
    assert model.regs[0x10][0x03] == 0x04
    assert model.regs[0x18][0x02] == 0x00


def test_nack_gives_error_and_retry():
    dut, model, sim = make(max_attempts=4)
    model.nack_next(2)
    seen = {"error_cycles": 0}

    async def bench(ctx):
        await wait_for(ctx, dut.init.error, 1, limit=20_000)
        assert ctx.get(dut.init.nack_count) == 1
        # The NACKed transfer is closed with a STOP, then the bus stays idle while backing off.
        for _ in range(200):
            if model.stops:
                break
            await ctx.tick()
        assert model.stops == 1
        for _ in range(TIMING["retry_delay"] // 2):
            await ctx.tick()
            assert ctx.get(dut.i2c.scl_oe) == 0 and ctx.get(dut.i2c.sda_oe) == 0
            seen["error_cycles"] += ctx.get(dut.init.error)
        await wait_for(ctx, dut.init.ready, 1, limit=60_000)
        assert ctx.get(dut.init.error) == 0
        assert ctx.get(dut.init.nack_count) == 2
        assert ctx.get(dut.init.attempts) == 3
        # A NACK in the jack loop: counted, error visible, ready stays, loop recovers.
        model.nack_next(1)
        await wait_for(ctx, dut.init.error, 1, limit=20_000)
        assert ctx.get(dut.init.ready) == 1
        assert ctx.get(dut.init.nack_count) == 3
        await wait_for(ctx, dut.init.error, 0, limit=20_000)
        assert ctx.get(dut.init.jacks) == JACKS

    sim.add_testbench(bench)
    sim.run()
    assert seen["error_cycles"] == TIMING["retry_delay"] // 2
    nacked = [t for t in model.transactions if not t.acked]
    assert [(t.addr, t.stopped) for t in nacked[:2]] == [(0x10, True), (0x10, True)]
    got = summary(model.transactions)
    assert got[:3] == expected_init()


def test_nack_forever_gives_bounded_failure():
    dut, model, sim = make(max_attempts=3)
    model.nack_next(1000)

    async def bench(ctx):
        await wait_for(ctx, dut.init.failed, 1, limit=20_000)
        assert ctx.get(dut.init.error) == 1
        n_transactions = len(model.transactions)
        for _ in range(3 * TIMING["retry_delay"]):
            await ctx.tick()
            assert ctx.get(dut.init.error) == 1 and ctx.get(dut.init.ready) == 0
            assert ctx.get(dut.i2c.scl_oe) == 0 and ctx.get(dut.i2c.sda_oe) == 0
        assert len(model.transactions) == n_transactions
        assert ctx.get(dut.init.nack_count) == 3

    sim.add_testbench(bench)
    sim.run()
    assert [t.acked for t in model.transactions] == [False] * 3
    assert model.stops == 3
