"""The pipeline timing of what ``rtl/`` builds, one home for the scheduler (``plan.py``), the resource
estimate (``resources.py``) and the components themselves: the read latency of a layer's history, a layer's
cycles beyond its multiply-accumulate steps, the reset stagger, and the front end's latency and cycles.
"""

from __future__ import annotations

from common.config import ModelConfig
from common.front_end import SWING_USERS

__all__ = ["FRONT_END_DIVISOR_CYCLES", "FRONT_END_LATENCY", "FRONT_END_MULTIPLIERS", "HISTORY_READ_LATENCY",
           "LAYER_LATENCY_OVERHEAD", "LAYER_OVERHEAD_CYCLES", "LAYER_RESET_DELAY", "front_end_cycles",
           "quotient_bits", "uses_division", "uses_phase"]

#: Cycles from a history read (tap, channel) to the registered sample at the multiplier input: the
#: block RAM's read, two registers straight on the RAM output (its clock-to-out is the slowest thing in the
#: ECP5 fabric), then the tap-0 mux into the multiplier input register; on the tap-0 side the index
#: register and a two-step selection (``rtl/activation_cache.py``). ``ShiftBuffer`` matches it.
HISTORY_READ_LATENCY = 4
#: Cycles a layer spends per sample beyond its issue cycles: the history/ROM read, the product register,
#: the accumulator, the two requantize registers (the accept cycle overlaps the last one: the next input
#: is accepted on the cycle the result moves into the output register).
LAYER_OVERHEAD_CYCLES = HISTORY_READ_LATENCY + 4
#: Input accepted -> output ``valid`` of one layer, beyond its issue cycles (one more than the overhead:
#: the output register).
LAYER_LATENCY_OVERHEAD = LAYER_OVERHEAD_CYCLES + 1
#: Layer ``i`` leaves reset ``i + LAYER_RESET_DELAY`` cycles after the network: its reset passes that many
#: flip-flops (``rtl/network.py``), so the network's reset never fans out from one flip-flop to every layer.
LAYER_RESET_DELAY = 1
#: The front end (``rtl/front_end.py``): input taken -> output ``valid``: the input, test, product,
#: product-out and output registers.
FRONT_END_LATENCY = 5
#: The front end's cycles up to the divisor, from the input transfer: the take and five stages.
FRONT_END_DIVISOR_CYCLES = 6
#: Its multipliers when it normalises the core (``level``/``rate``): one product each.
FRONT_END_MULTIPLIERS = 2


def uses_division(config: ModelConfig) -> bool:
    """Whether the front end normalises the core by its swing (``level``/``rate``): it then divides."""
    return bool(SWING_USERS.intersection(config.inputs))


def uses_phase(config: ModelConfig) -> bool:
    """Whether the front end times the core's half periods (``phase``): it then divides by their length."""
    return "phase" in config.inputs


def quotient_bits(config: ModelConfig) -> int:
    """The cycles of the front end's longest division, one quotient bit each (0 when it divides nothing):
    ``K + 1`` for the swing's reciprocal ``2**K // span``, ``PHASE_BITS + 2`` for the phase's increment
    ``2**(PHASE_BITS + 1) // half`` (``common/front_end.py``). The two run side by side."""
    fe = config.front_end
    return max([fe.reciprocal_bits + 1] * uses_division(config) + [fe.PHASE_BITS + 2] * uses_phase(config),
               default=0)


def front_end_cycles(config: ModelConfig) -> int:
    """The front end's initiation interval: one sample in flight (its latency plus the output transfer),
    and when it divides, the stages up to the divisor (``FRONT_END_DIVISOR_CYCLES``) plus the longest
    division's quotient bits (:func:`quotient_bits`)."""
    if quotient_bits(config):
        return max(FRONT_END_LATENCY + 1, FRONT_END_DIVISOR_CYCLES + quotient_bits(config))
    return FRONT_END_LATENCY + 1
