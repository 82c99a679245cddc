"""Formal harnesses: each wraps one component, leaves its inputs free and states its stream contract as
Amaranth ``Assert``/``Assume``/``Cover`` statements, so SymbiYosys proves them for every input sequence
up to its bound (:mod:`rtl.formal.sby`).

Properties (the names the runner reports):

* :class:`ConvLayerProof` (with a ``ShiftBuffer`` history for layer 0, an ``ActivationCache`` otherwise):
  ``o_valid_held`` (``o.valid`` stays up until ``o.ready`` takes it), ``o_payload_stable`` (the payload
  does not change meanwhile), ``push_when_ready`` (the history, an ``always_ready`` sink, is pushed only
  while it is ready), ``no_push_while_reading`` (no history slot is overwritten in a cycle a MAC step
  reads the history), and, with an ``ActivationCache``, its ``no_read_of_slot_being_written``.
* :class:`ActivationCacheProof`: ``no_read_of_slot_being_written`` (when ready, a read of an older tap never
  addresses the RAM word that the current sample's vector is written to: tap-0 reads, served from the
  ``current`` register, write it into the slot at the write pointer during the sample, so an older tap in
  that slot would be overwritten while the layer still reads it),
  ``ready_held`` (once the RAM is cleared the cache stays ready: a push is never refused).
* :class:`ShiftBufferProof`: ``ready_held`` (always ready), ``read_before_overwrite`` (a read returns,
  ``READ_LATENCY`` cycles later, the slot's value of the cycle it was issued in, even when a push
  overwrites that slot in that very cycle), checked against a shadow copy of the history.

The clock runs freely and reset is held low (``Assume``): every register starts from its reset value.
``only`` keeps one property (mutation runs: a broken variant must fail exactly the property it targets).
"""

from __future__ import annotations

from amaranth.hdl import Array, Assert, Assume, Cover, Module, ResetSignal, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In

from common.config import ModelConfig
from quantize.weights import QuantizedLayer

from ..activation_cache import ActivationCache
from ..conv_layer import ConvLayer
from ..plan import HISTORY_READ_LATENCY, LayerPlan
from ..shift_buffer import ShiftBuffer
from ..types import SampleVector

__all__ = ["ActivationCacheProof", "ConvLayerProof", "Proof", "ShiftBufferProof"]


class Proof(wiring.Component):
    """Common part: property bookkeeping (name -> source line, for the runner's report)."""

    def __init__(self, signature: dict, *, only: str | None = None):
        super().__init__(signature)
        self.only = only
        #: Property name -> (file, line) of its Assert.
        self.properties: dict[str, tuple[str, int]] = {}
        self.covers: dict[str, tuple[str, int]] = {}

    def _assert(self, m: Module, name: str, test) -> None:
        if self.only is not None and name != self.only:
            return
        statement = Assert(test, name, src_loc_at=1)
        self.properties[name] = statement.src_loc
        m.d.comb += statement

    def _cover(self, m: Module, name: str, test) -> None:
        if self.only is not None:
            return
        statement = Cover(test, name, src_loc_at=1)
        self.covers[name] = statement.src_loc
        m.d.comb += statement

    @staticmethod
    def _no_reset(m: Module) -> Signal:
        """Reset held low; returns ``started``, 1 from the second cycle on (when "previous" values exist)."""
        m.d.comb += Assume(~ResetSignal())
        started = Signal()
        m.d.sync += started.eq(1)
        return started


class ConvLayerProof(Proof):
    """A :class:`~rtl.conv_layer.ConvLayer` with free ``i.valid``/``i.payload`` and ``o.ready``."""

    def __init__(self, config: ModelConfig, index: int, layer: QuantizedLayer, plan: LayerPlan, *,
                 layer_cls=ConvLayer, only: str | None = None):
        self.dut = layer_cls(config, index, layer, plan)
        self.config = config
        super().__init__({
            "i_valid": In(1),
            "i_payload": In(SampleVector(config, config.in_channels(index))),
            "o_ready": In(1),
        }, only=only)

    def elaborate(self, platform):
        m = Module()
        m.submodules.dut = dut = self.dut
        started = self._no_reset(m)
        m.d.comb += [dut.i.valid.eq(self.i_valid), dut.i.payload.eq(self.i_payload), dut.o.ready.eq(self.o_ready)]

        previous_valid = Signal()
        previous_ready = Signal()
        previous_payload = Signal.like(dut.o.payload)
        m.d.sync += [previous_valid.eq(dut.o.valid), previous_ready.eq(dut.o.ready),
                     previous_payload.eq(dut.o.payload)]
        stalled = started & previous_valid & ~previous_ready  # offered last cycle and not taken
        self._assert(m, "o_valid_held", ~stalled | dut.o.valid)
        self._assert(m, "o_payload_stable", ~stalled | (dut.o.payload.as_value() == previous_payload.as_value()))

        history = dut.history
        self._assert(m, "push_when_ready", ~history.push.valid | history.ready)
        self._assert(m, "no_push_while_reading", ~(history.push.valid & dut.running))
        if isinstance(history, ActivationCache) and history.depth:
            self._assert(m, "no_read_of_slot_being_written",
                         ~(history.ready & (history.tap != 0) & (history.read_address == history.write_address)))

        transfers = Signal(2)
        with m.If(dut.o.valid & dut.o.ready & (transfers != 3)):
            m.d.sync += transfers.eq(transfers + 1)
        # the bound covers whole sample periods: two results handed on, one of them after a stall
        stalls = Signal()
        with m.If(stalled):
            m.d.sync += stalls.eq(1)
        self._cover(m, "two_outputs_after_a_stall", (transfers == 2) & stalls)
        return m


class ActivationCacheProof(Proof):
    """An :class:`~rtl.activation_cache.ActivationCache` with every input free."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int, *,
                 cache_cls=ActivationCache, only: str | None = None):
        self.dut = cache_cls(config, channels, kernel_size, dilation)
        super().__init__({
            "push_valid": In(1),
            "push_payload": In(SampleVector(config, channels)),
            "tap": In(range(kernel_size)),
            "channel": In(range(channels)),
        }, only=only)

    def elaborate(self, platform):
        m = Module()
        m.submodules.dut = dut = self.dut
        started = self._no_reset(m)
        m.d.comb += [dut.push.valid.eq(self.push_valid), dut.push.payload.eq(self.push_payload),
                     dut.tap.eq(self.tap), dut.channel.eq(self.channel)]
        self._assert(m, "no_read_of_slot_being_written",
                     ~(dut.ready & (dut.tap != 0) & (dut.read_address == dut.write_address)))
        previous_ready = Signal()
        m.d.sync += previous_ready.eq(dut.ready)
        self._assert(m, "ready_held", ~(started & previous_ready) | dut.ready)
        pushes = Signal(2)
        with m.If(dut.push.valid & dut.ready & (pushes != 3)):
            m.d.sync += pushes.eq(pushes + 1)
        self._cover(m, "two_pushes_after_clearing", pushes == 2)
        return m


class ShiftBufferProof(Proof):
    """A :class:`~rtl.shift_buffer.ShiftBuffer` with every input free, next to a shadow copy of its history."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int, *,
                 buffer_cls=ShiftBuffer, only: str | None = None):
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
        m.submodules.dut = dut = self.dut
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
