"""``ShiftBuffer``: layer 0's input history in registers.

The first layer's history is short (dilation 1, so ``kernel_size - 1`` past vectors of the few network
inputs), so it lives in flip-flops: a push shifts every vector one slot older. A read names a tap
(``tap`` = how many dilation steps back, 0 = newest) and a ``channel``; the value appears on ``data``
:data:`READ_LATENCY` cycles later, the same latency as :class:`~rtl.activation_cache.ActivationCache`
so :class:`~rtl.conv_layer.ConvLayer` can use either (``ready`` is always 1: registers reset to zero).
The read is a registered mux followed by plain registers, so the mux never shares a cycle with the
multiplier input path.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig

from .select import select
from .timing import HISTORY_READ_LATENCY
from .types import SampleVector, sample_shape

__all__ = ["READ_LATENCY", "ShiftBuffer"]

#: Cycles from ``tap``/``channel`` to ``data``.
READ_LATENCY = HISTORY_READ_LATENCY


class ShiftBuffer(wiring.Component):
    """Layer 0's history in flip-flops: the last ``(kernel_size - 1) * dilation + 1`` input vectors, read
    as :class:`~rtl.activation_cache.ActivationCache` is (same ports, same read latency).

    Parameters
    ----------
    config : ModelConfig
        The data format of the samples.
    channels, kernel_size, dilation : int
        The layer's input channels and its kernel.

    Ports
    -----
    push : In(stream.Signature(SampleVector(config, channels), always_ready=True))
        The next input vector, shifted in.
    tap : In(range(kernel_size)), channel : In(range(channels))
        What to read: tap ``k`` is the vector ``(kernel_size - 1 - k) * dilation`` pushes back.
    data : Out(sample_shape(config))
        That sample, :data:`READ_LATENCY` cycles after ``tap``/``channel``.
    ready : Out(1)
        Always 1 (registers reset to zero: nothing to clear)."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int):
        self.config = config
        self.channels = channels
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.depth = (kernel_size - 1) * dilation + 1
        super().__init__({
            "push": In(stream.Signature(SampleVector(config, channels), always_ready=True)),
            "tap": In(range(kernel_size)),
            "channel": In(range(channels)),
            "data": Out(sample_shape(config)),
            "ready": Out(1),
        })
        #: Registers reset to zero with ``rst``: nothing to clear.
        self.clear_cycles = 0

    def elaborate(self, platform):
        m = Module()
        m.d.comb += self.ready.eq(1)
        slots = self._slots(m)
        self._read(m, slots)
        return m

    def _slots(self, m) -> list:
        """The history registers, newest first: a push shifts every vector one slot older."""
        slots = [Signal(SampleVector(self.config, self.channels), name=f"slot{j}") for j in range(self.depth)]
        with m.If(self.push.valid):
            m.d.sync += slots[0].eq(self.push.payload)
            for newer, older in zip(slots, slots[1:], strict=False):
                m.d.sync += older.eq(newer)
        return slots

    def _read(self, m, slots) -> None:
        """``data``: the slot of ``tap``, its word ``channel``, :data:`READ_LATENCY` cycles later."""
        # tap first, then channel: the same selection as the nested Array it replaces, as assign-only muxes
        value = select([select([slots[j * self.dilation][c] for c in range(self.channels)], self.channel)
                        for j in range(self.kernel_size)], self.tap)
        for stage in range(READ_LATENCY - 1):  # registered mux, then plain delay to the common latency
            delayed = Signal(sample_shape(self.config), name=f"selected_{stage}")
            m.d.sync += delayed.eq(value)
            value = delayed
        m.d.sync += self.data.eq(value)
