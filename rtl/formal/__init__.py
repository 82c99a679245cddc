"""Formal checks of the stream contract of ``ShiftBuffer``, ``ActivationCache`` and ``ConvLayer``.

:mod:`rtl.formal.proof` lists the properties and one harness per component states them in Amaranth, on the
component as :mod:`rtl.formal.observed` subclasses it (recording the state its named steps build);
:mod:`rtl.formal.sby` runs SymbiYosys (yices); :mod:`rtl.formal.mutants` holds one broken variant per property.
This module lists them: small formats (FP2.2, so the multipliers stay cheap for the solver) and small layers.

* :data:`PROOFS` are **bounded** model checks (plus cover): every property holds on every cycle of every input
  sequence up to :func:`bound` cycles after reset, the cache clearing and three sample periods of the layer.
  Nothing is claimed beyond the bound: in the ConvLayer harness three samples never wrap the 8-slot ring.
* :data:`UNBOUNDED` are **unbounded** proofs (sby ``prove`` mode, k-induction) of the same properties, the
  histories' read-before-overwrite included: they hold on every cycle of every run, however long (the ring
  wraps, the counters roll over).
* :data:`MUTANTS` must fail the bounded checks, :data:`UNBOUNDED_MUTANTS` the unbounded proofs, some of them
  only there (their bug comes after more pushes than any bound here covers).

``python -m rtl.formal`` (``make formal``) runs them all; docs/formal.md says what each one establishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.weights import random_network

from ..timing import HISTORY_READ_LATENCY
from . import mutants
from .activation_cache_proof import ActivationCacheProof
from .conv_layer_proof import ConvLayerProof
from .observed import ObservedActivationCache, ObservedConvLayer, ObservedShiftBuffer
from .shift_buffer_proof import ShiftBufferProof

__all__ = ["MUTANTS", "PROOFS", "ProofCase", "UNBOUNDED", "UNBOUNDED_MUTANTS", "bound", "formal_config",
           "formal_plan", "induction_depth"]

#: Narrow formats: the multiplier's bit-level encoding dominates the solver time, and the properties do
#: not depend on the widths.
FORMAL_FORMAT = FixedFormat(4, 2)


def formal_config() -> ModelConfig:
    """Layer 0: 2 filters, K=2 over 2 inputs (a ShiftBuffer); layer 1: 2 filters, K=3, d=2 (an ActivationCache:
    history 4, so 8 slots x 2 channels = 16 RAM words)."""
    return ModelConfig(layers=(LayerConfig(2, 2, 1), LayerConfig(2, 3, 2)), name="formal", inputs=("core", "e0"),
                       data_format=FORMAL_FORMAT, weight_format=FORMAL_FORMAT)


def formal_plan():
    from ..plan import make_plan

    return make_plan(formal_config(), clock_hz=10**9, sample_rate_hz=10**5, multipliers=8, lanes=[1, 1])


#: k of the unbounded proofs of the histories alone (:data:`UNBOUNDED`): the ShiftBuffer's is its read latency (a
#: read's value leaves the history that many cycles before it is compared); the ActivationCache's properties
#: hold in every state its own registers allow, so one cycle is enough.
SHIFT_BUFFER_K = HISTORY_READ_LATENCY
ACTIVATION_CACHE_K = 1


def induction_depth(index: int) -> int:
    """k of layer ``index``'s unbounded ConvLayer proof: one sample period (its initiation interval), over
    which a sample is accepted, its MAC steps run and its result is handed on."""
    return formal_plan().layers[index].cycles


def bound(index: int) -> int:
    """Cycles checked for layer ``index``'s proofs: its reset clearing, then three sample periods (the
    layer's initiation interval), so that two results go in and out, one after a stall, inside the bound."""
    lp = formal_plan().layers[index]
    return lp.clear_cycles + 3 * lp.cycles


def _conv_layer(index: int, layer_cls=None, only: str | None = None) -> tuple[ConvLayerProof, int]:
    config = formal_config()
    net = random_network(config, np.random.default_rng(3), scale=1.0, extremes=0.2)
    harness = ConvLayerProof(config, index, net.layers[index], formal_plan().layers[index],
                             layer_cls=layer_cls or ObservedConvLayer, only=only)
    return harness, bound(index)


def _activation_cache(cache_cls=None, only: str | None = None) -> tuple[ActivationCacheProof, int]:
    """Layer 1's history alone."""
    config = formal_config()
    lc = config.layers[1]
    harness = ActivationCacheProof(config, config.in_channels(1), lc.kernel_size, lc.dilation,
                                   cache_cls=cache_cls or ObservedActivationCache, only=only)
    return harness, bound(1)


def _shift_buffer(buffer_cls=None, only: str | None = None) -> tuple[ShiftBufferProof, int]:
    """A dilated ShiftBuffer (2 channels, K=3, d=2: slots 0, 2, 4 of 5), over layer 0's bound."""
    harness = ShiftBufferProof(formal_config(), 2, 3, 2, buffer_cls=buffer_cls or ObservedShiftBuffer, only=only)
    return harness, bound(0)


@dataclass(frozen=True)
class ProofCase:
    name: str
    #: (harness, depth) for the real component, or for ``cls`` keeping only ``only``.
    build: Callable[..., tuple]


PROOFS = [
    ProofCase("conv_layer_shift_buffer", lambda cls=None, only=None: _conv_layer(0, cls, only)),
    ProofCase("conv_layer_activation_cache", lambda cls=None, only=None: _conv_layer(1, cls, only)),
    ProofCase("activation_cache", _activation_cache),
    ProofCase("shift_buffer", _shift_buffer),
]

#: (proof, mutant class, the property it must fail)
MUTANTS = [
    ("conv_layer_shift_buffer", mutants.DropsValid, "o_valid_held"),
    ("conv_layer_shift_buffer", mutants.ChangesPayload, "o_payload_stable"),
    ("conv_layer_shift_buffer", mutants.AcceptsWhileReading, "no_push_while_reading"),
    ("conv_layer_shift_buffer", mutants.CompletesOnAccept, "complete_after_running"),
    ("conv_layer_activation_cache", mutants.ForgetsPending, "running_while_pending"),
    ("conv_layer_activation_cache", mutants.IgnoresHistoryReady, "push_when_ready"),
    ("activation_cache", mutants.ShallowRing, "no_read_of_slot_being_written"),
    ("activation_cache", mutants.RefusesPushes, "ready_held"),
    ("shift_buffer", mutants.PushCorruptsRead, "read_before_overwrite"),
    ("shift_buffer", mutants.ShiftBufferNotReady, "ready_held"),
    ("shift_buffer", mutants.ShiftsWithoutPush, "history_is_last_pushes"),
]

#: The unbounded proofs: (proof, k), k the induction depth (the properties, assumed on k consecutive cycles
#: from any state, must hold on the next; docs/formal.md has the smallest k that closes each).
UNBOUNDED = [
    ("conv_layer_shift_buffer", induction_depth(0)),
    ("conv_layer_activation_cache", induction_depth(1)),
    ("activation_cache", ACTIVATION_CACHE_K),
    ("shift_buffer", SHIFT_BUFFER_K),
]

#: (proof, mutant class, a property it must fail, whether the bounded check catches it too). Each runs with
#: every property of its harness (the unbounded proof needs the invariants).
UNBOUNDED_MUTANTS = [
    ("conv_layer_shift_buffer", mutants.AcceptsWhileReading, "no_push_while_reading", True),
    ("activation_cache", mutants.ShallowRing, "no_read_of_slot_being_written", True),
    ("activation_cache", mutants.ReadsWrittenSlotAfterManyPushes, "no_read_of_slot_being_written", False),
    ("shift_buffer", mutants.PushCorruptsRead, "read_before_overwrite", True),
    ("shift_buffer", mutants.CorruptsReadAfterManyPushes, "read_before_overwrite", False),
]
