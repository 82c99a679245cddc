"""BootCounter: the frame header's boot identifier, a number that changes at every reset."""

from __future__ import annotations

from amaranth import Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import Out

__all__ = ["BootCounter"]


class BootCounter(wiring.Component):
    """``boot``: how many times the ``sync`` reset has been released since the FPGA was configured, modulo
    2**16 (0 until the first release).

    Everything else in the datalogger starts again from its reset value after a reset, the frame sequence
    included, so the host could take the first frames of a new boot for a continuation if the old boot's
    last frames and the new boot's first ones were lost whole. These two registers are *reset-less*: the
    domain reset (the board's reset button, a loss of PLL lock: ``boards/clocking/clock_generator.py``) does
    not clear them, only configuring the FPGA does (to their initial values). The count advances in the
    first cycle after the reset falls, so it is constant for the whole boot and differs from the previous
    boot's unless the FPGA was configured again in between (a power cycle or a re-flash, which the host
    recognises from the sequence restarting at 0: ``protocol.py``).

    Ports
    -----
    boot : Out(16)
        The boot count (above).
    """

    def __init__(self):
        super().__init__({"boot": Out(16)})

    def elaborate(self, platform):
        m = Module()
        count = Signal(16, reset_less=True)
        was_in_reset = Signal(reset_less=True)
        m.d.sync += was_in_reset.eq(ResetSignal("sync"))
        with m.If(was_in_reset & ~ResetSignal("sync")):
            m.d.sync += count.eq(count + 1)
        m.d.comb += self.boot.eq(count)
        return m
