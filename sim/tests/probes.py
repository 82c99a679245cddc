"""Small Amaranth wrappers that give each rtl component the network's stream ports, so the same harness
and runner test it against the golden model's piece.

``HistoryProbe`` wraps a history (``ShiftBuffer`` or ``ActivationCache``): per input vector it pushes the
vector, then reads every (tap, channel) in the order ``ConvLayer`` does (oldest tap first, channels
inner) and outputs them all as one vector: lane ``j * channels + c`` = tap ``j`` (``j * dilation``
samples back), channel ``c``. Its golden twin is :func:`golden_history`, built on ``RingCache``.
"""

from __future__ import annotations

import numpy as np
from amaranth import Array, Module, Signal
from amaranth.back import verilog
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from quantize.golden import RingCache
from rtl.types import SampleVector


class HistoryProbe(wiring.Component):
    def __init__(self, history_cls, config: ModelConfig, channels: int, kernel_size: int, dilation: int):
        self.history_cls = history_cls
        self.config = config
        self.channels = channels
        self.kernel_size = kernel_size
        self.dilation = dilation
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, channels))),
            "o": Out(stream.Signature(SampleVector(config, kernel_size * channels))),
        })

    def elaborate(self, platform):
        import sys

        # Each history module declares its read latency (and may have a ``ready`` output while it
        # clears itself after reset): follow whatever the component under test says.
        READ_LATENCY = sys.modules[self.history_cls.__module__].READ_LATENCY  # noqa: N806

        m = Module()
        cin, k_taps = self.channels, self.kernel_size
        steps = cin * k_taps
        m.submodules.history = history = self.history_cls(self.config, cin, k_taps, self.dilation)
        reading = Signal()
        step = Signal(range(steps + 1))
        captured = Signal(range(steps + 1))
        issued_valid = Signal(READ_LATENCY)
        issued_index = [Signal(range(steps), name=f"index{s}") for s in range(READ_LATENCY)]
        result = Signal(SampleVector(self.config, steps))

        history_ready = history.ready if hasattr(history, "ready") else 1
        m.d.comb += [self.i.ready.eq(~reading & ~self.o.valid & history_ready),
                     history.push.valid.eq(self.i.valid & self.i.ready),
                     history.push.payload.eq(self.i.payload)]
        with m.If(history.push.valid):
            m.d.sync += [reading.eq(1), step.eq(0), captured.eq(0)]
        # Step s reads lane s: tap j = s // cin (j dilation steps back), channel c = s % cin; issue oldest first.
        tap_of = Array(j for j in range(k_taps) for _ in range(cin))
        channel_of = Array(c for _ in range(k_taps) for c in range(cin))
        order = [(k_taps - 1 - k) * cin + c for k in range(k_taps) for c in range(cin)]
        lane_of_step = Array(order)
        lane = Signal(range(steps))
        m.d.comb += lane.eq(lane_of_step[step[:len(lane)] if steps > 1 else 0])
        issuing = reading & (step < steps)
        m.d.comb += [history.tap.eq(tap_of[lane]), history.channel.eq(channel_of[lane])]
        with m.If(issuing):
            m.d.sync += step.eq(step + 1)
        m.d.sync += [issued_valid.eq((issued_valid << 1) | issuing), issued_index[0].eq(lane)]
        for s in range(1, READ_LATENCY):
            m.d.sync += issued_index[s].eq(issued_index[s - 1])
        with m.If(issued_valid[READ_LATENCY - 1]):
            m.d.sync += [result[issued_index[READ_LATENCY - 1]].eq(history.data), captured.eq(captured + 1)]
        with m.If(reading & (captured == steps)):
            m.d.sync += [reading.eq(0), self.o.valid.eq(1)]
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        m.d.comb += self.o.payload.eq(result)
        return m


def history_verilog(history_cls, config, channels, kernel_size, dilation) -> str:
    return verilog.convert(HistoryProbe(history_cls, config, channels, kernel_size, dilation), name="network")


def golden_history(codes: np.ndarray, kernel_size: int, dilation: int) -> np.ndarray:
    """Per input vector: push into a ``RingCache``, then every tap ``j * dilation`` back, lanes j-major."""
    channels = codes.shape[1]
    cache = RingCache(channels, (kernel_size - 1) * dilation + 1)
    out = np.empty((len(codes), kernel_size * channels), dtype=np.int64)
    for t, vector in enumerate(codes):
        cache.push(vector)
        out[t] = np.concatenate([cache.tap(j * dilation) for j in range(kernel_size)])
    return out
