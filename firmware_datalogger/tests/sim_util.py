"""Testbench helpers: drive sample vectors, record and decode the UART TX line."""

from __future__ import annotations

from fractions import Fraction

from amaranth import ClockDomain, Module
from amaranth.lib import wiring
from amaranth.sim import Simulator


def decode_uart(trace: list[int], divider) -> list[int]:
    """Decode 8N1 bytes from a per-clock trace of the TX line, sampling each bit at its nominal centre.

    Also asserts the timing the transmitter promises: every edge lies within one clock of its ideal
    position (start edge + k x divider), and every stop bit is high.
    """
    div = Fraction(divider)
    out = []
    i = 1
    n = len(trace)
    while i < n:
        if not (trace[i - 1] == 1 and trace[i] == 0):
            i += 1
            continue
        if i + int(10 * div) + 1 >= n:
            break  # incomplete final byte
        bits = [trace[int(i + (k * div) + div / 2)] for k in range(10)]
        assert bits[0] == 0, f"start bit not low at its centre (clock {i})"
        assert bits[9] == 1, f"stop bit not high (byte starting at clock {i})"
        for k in range(1, 10):
            if bits[k] != bits[k - 1]:
                ideal = i + k * div
                lo, hi = int(ideal - div / 2), int(ideal + div / 2)
                edge = next(t for t in range(lo, hi + 1) if trace[t] == bits[k] and trace[t - 1] == bits[k - 1])
                assert abs(edge - ideal) <= 1, f"edge {k} of byte at clock {i} is {float(edge - ideal):.2f} clocks off"
        out.append(sum(b << k for k, b in enumerate(bits[1:9])))
        i = int(i + 9 * div + div / 2)
    return out


class ResetHarness(wiring.Component):
    """``dut`` in an explicit ``sync`` domain (``cd_sync``), so a testbench can hold its reset."""

    def __init__(self, dut):
        self.dut = dut
        self.cd_sync = ClockDomain("sync")
        super().__init__({})

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = self.cd_sync
        m.submodules.dut = self.dut
        return m


def run(dut, testbench, *, vcd: str | None = None):
    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    if vcd:
        with sim.write_vcd(vcd):
            sim.run()
    else:
        sim.run()
