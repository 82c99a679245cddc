"""UARTTransmitter: 8N1 framing, exact average baud from a fractional divider, back-to-back bytes."""

from fractions import Fraction

import numpy as np
import pytest

from firmware_datalogger.gateware import UARTTransmitter

from .sim_util import decode_uart, run

# The constructor-rejection test leaves an unelaborated component behind on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::amaranth.hdl.UnusedElaboratable")


@pytest.mark.parametrize("divider", [Fraction(175, 23), Fraction(25, 3), 5])
def test_bytes_round_trip_back_to_back(divider):
    rng = np.random.default_rng(1)
    sent = [int(b) for b in rng.integers(0, 256, 40)] + [0x00, 0xFF, 0x55, 0xAA]
    dut = UARTTransmitter(divider)
    trace, starts = [], []

    async def tb(ctx):
        ctx.set(dut.data.valid, 1)
        for index, byte in enumerate(sent):
            if index == 20:  # an idle gap mid-stream: the line must stay high, then restart cleanly
                ctx.set(dut.data.valid, 0)
                for _ in range(37):
                    await ctx.tick()
                    trace.append(ctx.get(dut.tx))
                ctx.set(dut.data.valid, 1)
            ctx.set(dut.data.payload, byte)
            while True:
                ready = ctx.get(dut.data.ready)
                await ctx.tick()
                trace.append(ctx.get(dut.tx))
                if ready:
                    starts.append(len(trace))
                    break
        ctx.set(dut.data.valid, 0)
        for _ in range(int(12 * Fraction(divider))):
            await ctx.tick()
            trace.append(ctx.get(dut.tx))

    run(dut, tb)
    assert decode_uart([1] + trace, divider) == sent
    # Back to back: 19 bytes after the first take exactly 19 x 10 bit times (to within one clock).
    span = starts[19] - starts[0]
    assert abs(span - 19 * 10 * Fraction(divider)) <= 1


def test_divider_below_two_rejected():
    with pytest.raises(ValueError, match=r"^UART divider 3/2 is below 2 clocks per bit$"):
        UARTTransmitter(Fraction(3, 2))


def _transmit(sent, divider):
    dut = UARTTransmitter(divider)
    trace = []

    async def tb(ctx):
        ctx.set(dut.data.valid, 1)
        for byte in sent:
            ctx.set(dut.data.payload, byte)
            while True:
                ready = ctx.get(dut.data.ready)
                await ctx.tick()
                trace.append(ctx.get(dut.tx))
                if ready:
                    break
        ctx.set(dut.data.valid, 0)
        for _ in range(int(12 * Fraction(divider))):
            await ctx.tick()
            trace.append(ctx.get(dut.tx))

    run(dut, tb)
    return [1] + trace


def test_decoder_catches_a_wrong_bit_time():
    """The checker itself: a line decoded at a 6 % wrong bit time must not pass."""
    sent = [0x0F, 0xF0, 0x33, 0x01]
    trace = _transmit(sent, Fraction(25, 3))
    assert decode_uart(trace, Fraction(25, 3)) == sent
    try:
        decoded = decode_uart(trace, Fraction(25, 3) * Fraction(106, 100))
    except AssertionError:
        return
    assert decoded != sent
