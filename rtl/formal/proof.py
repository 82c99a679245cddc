"""Formal harnesses: each wraps one component, leaves its inputs free and states its stream contract as
Amaranth ``Assert``/``Assume``/``Cover`` statements, so SymbiYosys checks them for every input sequence:
up to a bound (a bounded model check), or for every cycle (k-induction; :mod:`rtl.formal.sby`).

Properties (the names the runner reports):

* :class:`ConvLayerProof` (with a ``ShiftBuffer`` history for layer 0, an ``ActivationCache`` otherwise):
  ``o_valid_held`` (``o.valid`` stays up until ``o.ready`` takes it), ``o_payload_stable`` (the payload
  does not change meanwhile), ``push_when_ready`` (the history, an ``always_ready`` sink, is pushed only
  while it is ready), ``no_push_while_reading`` (no history slot is overwritten in a cycle a MAC step
  reads the history), and, with an ``ActivationCache``, its ``no_read_of_slot_being_written``; the
  invariants ``complete_after_running`` (the result vector is complete only for an accepted sample whose MAC
  steps are over) and ``running_while_pending`` (MAC steps run only for an accepted sample).
* :class:`ActivationCacheProof`: ``no_read_of_slot_being_written`` (when ready, a read of an older tap never
  addresses the RAM word that the current sample's vector is written to: tap-0 reads, served from the
  ``current`` register, write it into the slot at the write pointer during the sample, so an older tap in
  that slot would be overwritten while the layer still reads it),
  ``ready_held`` (once the RAM is cleared the cache stays ready: a push is never refused).
* :class:`ShiftBufferProof`: ``ready_held`` (always ready), ``read_before_overwrite`` (a read returns,
  ``READ_LATENCY`` cycles later, the slot's value of the cycle it was issued in, even when a push
  overwrites that slot in that very cycle), checked against a shadow copy of the history, and
  ``history_is_last_pushes`` (the history registers hold the last pushes, newest first: the shadow copy),
  the invariant that lets ``read_before_overwrite`` be proved without a bound (``docs/formal.md``).

The clock runs freely and reset is held low (``Assume``): every register starts from its reset value.
``only`` keeps one property (mutation runs: a broken variant must fail exactly the property it targets).

Some properties are *invariants*: facts about the component's own state that every run from reset keeps
(``history_is_last_pushes``, ``complete_after_running``, ``running_while_pending``). A bounded check does not
need them, but the unbounded proofs do: k-induction starts from any state in which the properties held for
``k`` cycles, and without them it finds states no run reaches (``docs/formal.md``).
"""

from __future__ import annotations

from amaranth.hdl import Assert, Assume, Cover, Fragment, Module, ResetSignal, Signal
from amaranth.lib import wiring

__all__ = ["Proof"]


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

    def _add_dut(self, m: Module, platform):
        """``self.dut`` as submodule ``dut``, elaborated here and now: the state its observed subclass records
        in its named steps (:mod:`rtl.formal.observed`) exists once it has elaborated, and the properties
        refer to it. Returns the component."""
        m.submodules.dut = Fragment.get(self.dut, platform)
        return self.dut

    @staticmethod
    def _no_reset(m: Module) -> Signal:
        """Reset held low; returns ``started``, 1 from the second cycle on (when "previous" values exist)."""
        m.d.comb += Assume(~ResetSignal())
        started = Signal()
        m.d.sync += started.eq(1)
        return started
