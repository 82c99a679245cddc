"""The formal harness of :class:`~rtl.conv_layer.ConvLayer` (properties: :mod:`rtl.formal.proof`), observed
through :class:`~rtl.formal.observed.ObservedConvLayer`."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib.wiring import In

from common.config import ModelConfig
from quantize.weights import QuantizedLayer

from ..activation_cache import ActivationCache
from ..plan import LayerPlan
from ..types import SampleVector
from .observed import ObservedConvLayer
from .proof import Proof

__all__ = ["ConvLayerProof"]


class ConvLayerProof(Proof):
    """A :class:`~rtl.conv_layer.ConvLayer` with free ``i.valid``/``i.payload`` and ``o.ready``."""

    def __init__(self, config: ModelConfig, index: int, layer: QuantizedLayer, plan: LayerPlan, *,
                 layer_cls=ObservedConvLayer, only: str | None = None):
        self.dut = layer_cls(config, index, layer, plan)
        self.config = config
        super().__init__({
            "i_valid": In(1),
            "i_payload": In(SampleVector(config, config.in_channels(index))),
            "o_ready": In(1),
        }, only=only)

    def elaborate(self, platform):
        m = Module()
        dut = self._add_dut(m, platform)
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

        # the handshake state (invariants: what the unbounded proof needs to rule out states no run reaches): a
        # result is complete only for an accepted sample whose MAC steps are over, and MAC steps run only for
        # an accepted sample
        self._assert(m, "complete_after_running", ~dut.complete | (dut.pending & ~dut.running))
        self._assert(m, "running_while_pending", ~dut.running | dut.pending)
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
