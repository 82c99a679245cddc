"""The components as the formal harnesses see them: each subclass lets the real component build its state in
its named steps, and records what a step returns, so a harness (and a mutant, :mod:`rtl.formal.mutants`) can
state properties about state the component does not expose as ports. The recorded attributes exist once the
component has elaborated (:meth:`rtl.formal.proof.Proof._add_dut`)."""

from __future__ import annotations

from ..activation_cache import ActivationCache
from ..conv_layer import ConvLayer
from ..shift_buffer import ShiftBuffer

__all__ = ["ObservedActivationCache", "ObservedConvLayer", "ObservedShiftBuffer"]


class ObservedShiftBuffer(ShiftBuffer):
    """Records ``slots``: the history registers, newest first."""

    def _slots(self, m):
        self.slots = super()._slots(m)
        return self.slots


class ObservedActivationCache(ActivationCache):
    """Records ``read_address``, ``write_address`` and ``write_enable``: the RAM's ports as driven."""

    def _addresses(self, m, tap0, clearing, clear_address):
        addresses = super()._addresses(m, tap0, clearing, clear_address)
        self.read_address, self.write_address, self.write_enable = addresses
        return addresses


class ObservedConvLayer(ConvLayer):
    """Records ``history`` (an observed one), ``running``, ``pending``, ``complete`` (the handshake state)
    and ``output_register``."""

    def _history_class(self):
        return {ShiftBuffer: ObservedShiftBuffer, ActivationCache: ObservedActivationCache}[super()._history_class()]

    def _history(self, m):
        self.history = super()._history(m)
        return self.history

    def _handshake(self, m, history):
        handshake = super()._handshake(m, history)
        self.running, self.pending, self.complete = handshake.running, handshake.pending, handshake.complete
        return handshake

    def _output_register(self, m, handshake, result, finished):
        self.output_register = super()._output_register(m, handshake, result, finished)
        return self.output_register
