"""The formal harness of :class:`~rtl.shift_buffer.ShiftBuffer` (properties: :mod:`rtl.formal.proof`), observed
through :class:`~rtl.formal.observed.ObservedShiftBuffer`."""

from __future__ import annotations

from amaranth.hdl import Array, Assume, Cat, Module, Signal
from amaranth.lib.wiring import In

from common.config import ModelConfig

from ..timing import HISTORY_READ_LATENCY
from ..types import SampleVector
from .observed import ObservedShiftBuffer
from .proof import Proof

__all__ = ["ShiftBufferProof"]


class ShiftBufferProof(Proof):
    """A :class:`~rtl.shift_buffer.ShiftBuffer` with every input free, next to a shadow copy of its history."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int, *,
                 buffer_cls=ObservedShiftBuffer, only: str | None = None):
        self.dut = buffer_cls(config, channels, kernel_size, dilation)
        self.config = config
        self.channels = channels
        super().__init__({
            "push_valid": In(1),
            "push_payload": In(SampleVector(config, channels)),
            "tap": In(range(kernel_size)),
            "channel": In(range(channels)),
        }, only=only)

    def elaborate(self, platform):
        m = Module()
        dut = self._add_dut(m, platform)
        started = self._no_reset(m)
        m.d.comb += [dut.push.valid.eq(self.push_valid), dut.push.payload.eq(self.push_payload),
                     dut.tap.eq(self.tap), dut.channel.eq(self.channel)]
        self._assert(m, "ready_held", dut.ready)
        # ConvLayer only reads existing taps and channels (the port widths allow a few more values)
        m.d.comb += Assume((self.tap < dut.kernel_size) & (self.channel < self.channels))

        # Shadow history: vectors pushed 0, 1, 2, ... samples ago (zero before any push).
        layout = SampleVector(self.config, self.channels)
        shadow = [Signal(layout, name=f"shadow{j}") for j in range(dut.depth)]
        with m.If(dut.push.valid):
            m.d.sync += shadow[0].eq(dut.push.payload)
            for newer, older in zip(shadow, shadow[1:], strict=False):
                m.d.sync += older.eq(newer)
        # the history holds the last pushes, newest first: what every read selects from (and the invariant that
        # lets the unbounded proof start from any state, not only those reached from reset)
        self._assert(m, "history_is_last_pushes",
                     Cat(*[slot.as_value() for slot in dut.slots]) == Cat(*[s.as_value() for s in shadow]))
        taps = Array(Array(shadow[j * dut.dilation][c] for c in range(self.channels)) for j in range(dut.kernel_size))
        expected = [Signal.like(dut.data, name="expected_0")]
        m.d.comb += expected[0].eq(taps[self.tap][self.channel])  # the value before this cycle's push
        age = [started]
        for stage in range(1, HISTORY_READ_LATENCY + 1):
            expected.append(Signal.like(dut.data, name=f"expected_{stage}"))
            age.append(Signal(name=f"issued_{stage}"))
            m.d.sync += [expected[stage].eq(expected[stage - 1]), age[stage].eq(age[stage - 1])]
        self._assert(m, "read_before_overwrite", ~age[-1] | (dut.data == expected[-1]))
        pushes_under_read = Signal(2)
        with m.If(dut.push.valid & (self.tap == dut.kernel_size - 1) & (pushes_under_read != 3)):
            m.d.sync += pushes_under_read.eq(pushes_under_read + 1)
        self._cover(m, "reads_of_the_oldest_tap_while_pushing", pushes_under_read == 2)
        return m
