"""Deliberately broken variants of the components, one per property, for the formal mutation check: the
prover must reject each (``python -m rtl.formal`` and rtl/tests/test_formal.py). They live here, beside the
harnesses, and never in the production RTL: each subclasses the observed component (:mod:`rtl.formal.observed`),
lets it elaborate, then appends one statement that overrides the real behaviour (within one module the last
assignment wins)."""

from __future__ import annotations

from amaranth.hdl import Cat

from .observed import ObservedActivationCache, ObservedConvLayer, ObservedShiftBuffer

__all__ = ["DropsValid", "ChangesPayload", "AcceptsWhileReading", "CompletesOnAccept", "ForgetsPending",
           "IgnoresHistoryReady", "ShallowRing",
           "RefusesPushes", "PushCorruptsRead", "ShiftBufferNotReady", "ShiftsWithoutPush", "LATE_PUSHES",
           "CorruptsReadAfterManyPushes", "ReadsWrittenSlotAfterManyPushes"]


class DropsValid(ObservedConvLayer):
    """Withdraws ``o.valid`` while the consumer is not ready."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(~self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        return m


class ChangesPayload(ObservedConvLayer):
    """Changes the offered payload while it waits for ``o.ready``."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(self.o.valid & ~self.o.ready):
            m.d.sync += self.output_register.eq(~self.output_register.as_value())
        return m


class AcceptsWhileReading(ObservedConvLayer):
    """Takes the next input (and pushes it into the history) while the current sample's MACs still read."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += self.i.ready.eq(self.history.ready)
        return m


class CompletesOnAccept(ObservedConvLayer):
    """Marks the result vector complete as soon as a sample is accepted, before its MAC steps."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += self.complete.eq(1)
        return m


class ForgetsPending(ObservedConvLayer):
    """Clears ``pending`` once the MAC steps have begun."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(self.running):
            m.d.sync += self.pending.eq(0)
        return m


class IgnoresHistoryReady(ObservedConvLayer):
    """Accepts input while the history is still clearing its RAM."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += self.i.ready.eq(~self.running)
        return m


class ShallowRing(ObservedActivationCache):
    """A ring buffer of only ``history`` slots (not more than ``history``): the oldest tap is the slot the
    newest vector is written to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot_bits -= 1
        self.depth = 1 << self.slot_bits
        self.clear_cycles = self.depth << self.channel_bits


class RefusesPushes(ObservedActivationCache):
    """Drops ``ready`` for a cycle after clearing when tap 1 is read during a push."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(self.push.valid & (self.tap == 1)):
            m.d.comb += self.ready.eq(0)
        return m


class PushCorruptsRead(ObservedShiftBuffer):
    """A push overwrites the read in flight with the pushed vector's channel 0."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(self.push.valid):
            m.d.sync += self.data.eq(Cat(self.push.payload.as_value()[:len(self.data)]))
        return m


class ShiftBufferNotReady(ObservedShiftBuffer):
    """Says it is not ready while a push is offered."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        m.d.comb += self.ready.eq(~self.push.valid)
        return m


class ShiftsWithoutPush(ObservedShiftBuffer):
    """Moves the history one slot older on every cycle, pushed or not."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(~self.push.valid):
            for newer, older in zip(self.slots, self.slots[1:], strict=False):
                m.d.sync += older.eq(newer)
        return m


#: Pushes after which the late variants below misbehave: more samples than any bounded check here covers (a
#: few sample periods), and far fewer than a board plays in a second.
LATE_PUSHES = 200


def _late(m, push_valid):
    """A saturating count of pushes; returns the condition "this push comes after LATE_PUSHES of them"."""
    from amaranth.hdl import Signal

    pushes = Signal(range(LATE_PUSHES + 1), name="pushes_seen")
    with m.If(push_valid & (pushes != LATE_PUSHES)):
        m.d.sync += pushes.eq(pushes + 1)
    return push_valid & (pushes == LATE_PUSHES)


class CorruptsReadAfterManyPushes(ObservedShiftBuffer):
    """:class:`PushCorruptsRead`, but only from the ``LATE_PUSHES``-th push on: a bounded check of a few sample
    periods never gets there, an unbounded proof must."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(_late(m, self.push.valid)):
            m.d.sync += self.data.eq(Cat(self.push.payload.as_value()[:len(self.data)]))
        return m


class ReadsWrittenSlotAfterManyPushes(ObservedActivationCache):
    """From the ``LATE_PUSHES``-th push on, a read of an older tap during a push addresses the word being
    written (as :class:`ShallowRing` does from the start)."""

    def elaborate(self, platform):
        m = super().elaborate(platform)
        with m.If(_late(m, self.push.valid) & (self.tap != 0)):
            m.d.comb += self.read_address.eq(self.write_address)
        return m
