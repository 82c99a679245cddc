"""Formal proofs of the stream contract of ``ShiftBuffer``, ``ActivationCache`` and ``ConvLayer``.

:mod:`rtl.formal.proof` lists the properties and one harness per component states them in Amaranth;
:mod:`rtl.formal.sby` runs SymbiYosys (bounded model check plus cover, yices); :mod:`rtl.formal.mutants` holds
one broken variant per property. This module lists the proofs: small formats (FP2.2, so the multipliers stay
cheap for the solver) and small layers, each bounded over at least one whole sample period after reset (cache
clearing included); ``python -m rtl.formal`` (``make formal``) runs them all and checks that every mutant is
rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from common.config import FixedFormat, LayerConfig, ModelConfig
from quantize.weights import random_network

from . import mutants
from .activation_cache_proof import ActivationCacheProof
from .conv_layer_proof import ConvLayerProof
from .shift_buffer_proof import ShiftBufferProof

__all__ = ["MUTANTS", "PROOFS", "ProofCase", "bound", "formal_config", "formal_plan"]

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


def bound(index: int) -> int:
    """Cycles checked for layer ``index``'s proofs: its reset clearing, then three sample periods (the
    layer's initiation interval), so that two results go in and out, one after a stall, inside the bound."""
    lp = formal_plan().layers[index]
    return lp.clear_cycles + 3 * lp.cycles


def _conv_layer(index: int, layer_cls=None, only: str | None = None) -> tuple[ConvLayerProof, int]:
    from ..conv_layer import ConvLayer

    config = formal_config()
    net = random_network(config, np.random.default_rng(3), scale=1.0, extremes=0.2)
    harness = ConvLayerProof(config, index, net.layers[index], formal_plan().layers[index],
                             layer_cls=layer_cls or ConvLayer, only=only)
    return harness, bound(index)


def _activation_cache(cache_cls=None, only: str | None = None) -> tuple[ActivationCacheProof, int]:
    """Layer 1's history alone."""
    from ..activation_cache import ActivationCache

    config = formal_config()
    lc = config.layers[1]
    harness = ActivationCacheProof(config, config.in_channels(1), lc.kernel_size, lc.dilation,
                                   cache_cls=cache_cls or ActivationCache, only=only)
    return harness, bound(1)


def _shift_buffer(buffer_cls=None, only: str | None = None) -> tuple[ShiftBufferProof, int]:
    """A dilated ShiftBuffer (2 channels, K=3, d=2: slots 0, 2, 4 of 5), over layer 0's bound."""
    from ..shift_buffer import ShiftBuffer

    harness = ShiftBufferProof(formal_config(), 2, 3, 2, buffer_cls=buffer_cls or ShiftBuffer, only=only)
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
    ("conv_layer_activation_cache", mutants.IgnoresHistoryReady, "push_when_ready"),
    ("activation_cache", mutants.ShallowRing, "no_read_of_slot_being_written"),
    ("activation_cache", mutants.RefusesPushes, "ready_held"),
    ("shift_buffer", mutants.PushCorruptsRead, "read_before_overwrite"),
    ("shift_buffer", mutants.ShiftBufferNotReady, "ready_held"),
]
