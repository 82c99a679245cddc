"""The formal harness of :class:`~rtl.activation_cache.ActivationCache` (properties: :mod:`rtl.formal.proof`),
observed through :class:`~rtl.formal.observed.ObservedActivationCache`."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib.wiring import In

from common.config import ModelConfig

from ..types import SampleVector
from .observed import ObservedActivationCache
from .proof import Proof

__all__ = ["ActivationCacheProof"]


class ActivationCacheProof(Proof):
    """An :class:`~rtl.activation_cache.ActivationCache` with every input free."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int, *,
                 cache_cls=ObservedActivationCache, only: str | None = None):
        self.dut = cache_cls(config, channels, kernel_size, dilation)
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
