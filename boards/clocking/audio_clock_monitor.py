"""AudioClockMonitor: measures an external ``audio`` clock from ``sync`` and says when it is the right one.

A board whose codec clock comes from outside the FPGA (Tiliqua: an SI5351 the bootloader programs) cannot
know from a PLL lock that the clock runs, let alone at the frequency the design was built for: loaded
without the bootloader, or by a bootloader that set another rate, the codec would run at the wrong sample
rate. So the design measures it and keeps the codec in reset until it is right.

* In ``audio`` a free-running 2-bit counter (``reset_less``: it must run while ``audio`` is held in
  reset) toggles its top bit every 2 cycles: a square wave at ``f_audio / 4`` (12.3 MHz), at most a quarter
  of the ``sync`` rate, so it crosses into ``sync`` through a plain 2-FF synchroniser with every level
  seen (no clock is sampled as data).
* In ``sync`` its rising edges are counted over a window of ``window_cycles``; the count must be within
  ``tolerance`` (relative) plus 2 edges (window alignment) of ``window_cycles * f_audio / (4 f_sync)``
  (8948 edges in the default 0.73 ms window at 90 MHz, so 1 % is 89 edges).
* ``ok`` is the verdict of the last complete window; it is 0 from reset until the first window ends. It
  is not sticky: a clock that stops or changes drops it within one window.
"""

from __future__ import annotations

import math

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import Out

__all__ = ["AudioClockMonitor"]

#: The audio clock is divided by 2**DIVIDER_BITS before it crosses into ``sync``.
DIVIDER_BITS = 2


class AudioClockMonitor(wiring.Component):
    """Measures the ``audio`` clock against ``sync``: edges of ``audio / 2**DIVIDER_BITS`` counted over a window.

    Parameters
    ----------
    audio_hz : float
        The frequency the ``audio`` clock should have.
    sync_hz : float
        The ``sync`` clock the measurement is timed with.
    window_cycles : int or None
        ``sync`` cycles per measurement (default: about 0.7 ms, a power of two).
    tolerance : float
        The relative error still accepted.

    Ports
    -----
    ok : Out(1)
        ``sync`` domain: the last window measured ``audio`` within ``tolerance`` of ``audio_hz``."""

    def __init__(self, audio_hz: float, sync_hz: float, *, window_cycles: int | None = None,
                 tolerance: float = 0.01):
        if audio_hz <= 0 or sync_hz <= 0:
            raise ValueError(f"clock frequencies must be > 0, got audio {audio_hz} Hz, sync {sync_hz} Hz")
        if audio_hz / 2 ** DIVIDER_BITS > sync_hz / 4:
            raise ValueError(f"audio clock {audio_hz / 1e6:g} MHz / {2 ** DIVIDER_BITS} is too fast to count "
                             f"from a {sync_hz / 1e6:g} MHz sync clock")
        if window_cycles is None:
            window_cycles = 1 << max(8, round(math.log2(sync_hz * 0.0007)))
        if window_cycles < 64:
            raise ValueError(f"window_cycles must be at least 64, got {window_cycles}")
        if not 0 < tolerance < 0.5:
            raise ValueError(f"tolerance must be in (0, 0.5), got {tolerance}")
        self.window_cycles = int(window_cycles)
        self.expected_edges = self.window_cycles * audio_hz / (2 ** DIVIDER_BITS * sync_hz)
        margin = tolerance * self.expected_edges + 2
        self.min_edges = max(1, math.ceil(self.expected_edges - margin))
        self.max_edges = math.floor(self.expected_edges + margin)
        super().__init__({"ok": Out(1)})

    def elaborate(self, platform):
        m = Module()
        divider = Signal(DIVIDER_BITS, reset_less=True)
        m.d.audio += divider.eq(divider + 1)

        slow = Signal()
        m.submodules.slow_sync = FFSynchronizer(divider[-1], slow, o_domain="sync")
        slow_last = Signal()
        m.d.sync += slow_last.eq(slow)

        window = Signal(range(self.window_cycles))
        edges = Signal(range(self.max_edges + 2))
        rising = slow & ~slow_last
        with m.If(window == self.window_cycles - 1):
            m.d.sync += [
                window.eq(0),
                edges.eq(0),
                self.ok.eq((edges >= self.min_edges) & (edges <= self.max_edges)),
            ]
        with m.Else():
            m.d.sync += window.eq(window + 1)
            with m.If(rising & (edges <= self.max_edges)):
                m.d.sync += edges.eq(edges + 1)
        return m
