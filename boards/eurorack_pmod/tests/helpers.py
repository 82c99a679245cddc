"""Shared simulation helpers for the eurorack-pmod tests."""

from __future__ import annotations

from amaranth import ClockDomain, Module
from amaranth.lib import wiring

from ..codec_init import CodecInit
from ..i2c_master import I2CMaster

#: AK4619 registers 0x00-0x14 for 192 kHz, transcribed from docs/eurorack-pmod.md §5/§6 (not from the driver):
#: final values, i.e. RSTN=1 and not muted.
HW_AK4619_192K = [0x37, 0xAE, 0x1C, 0x04, 0x22, 0x22, 0x30, 0x30, 0x30, 0x30, 0x22, 0x55, 0x00, 0x06,
                  0x18, 0x18, 0x18, 0x18, 0x04, 0x05, 0x0A]


async def wait_for(ctx, signal, value=1, *, limit, domain="sync"):
    """Tick ``domain`` until ``signal == value``; fail after ``limit`` cycles. Returns cycles waited."""
    for n in range(limit):
        if ctx.get(signal) == value:
            return n
        await ctx.tick(domain)
    raise AssertionError(f"{signal!r} did not become {value} within {limit} cycles")


class InitHarness(wiring.Component):
    """CodecInit + I2CMaster connected, pins exposed, all in ``sync``."""

    def __init__(self, *, divider=4, **init_kwargs):
        self.init = CodecInit(**init_kwargs)
        self.i2c = I2CMaster(divider=divider)
        self.cd_sync = ClockDomain("sync")    # explicit, so a testbench can drive its reset
        super().__init__({})

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = self.cd_sync
        m.submodules.init = self.init
        m.submodules.i2c = self.i2c
        wiring.connect(m, self.init.i2c_cmd, self.i2c.cmd)
        wiring.connect(m, self.i2c.rsp, self.init.i2c_rsp)
        return m


def cal(x, offset, gain):
    """docs/eurorack-pmod.md §8 calibration, written out independently of the gateware:
    clamp(((x - offset) * gain) >>> 10, -32767, 32767)."""
    return max(-32767, min(32767, ((x - offset) * gain) >> 10))


def to_s16(x):
    """The low 16 bits of ``x`` read as a two's-complement sample."""
    x &= 0xFFFF
    return x - 0x10000 if x & 0x8000 else x


def find_run(haystack, needle):
    """Index where ``needle`` occurs as a contiguous run in ``haystack`` (None if absent)."""
    for i in range(len(haystack) - len(needle) + 1):
        if haystack[i:i + len(needle)] == needle:
            return i
    return None
