"""Networks and stimuli that drive the generated hardware into its corners, and RTL-side mutations.

* ``extreme``: every weight at the most negative code, biases at the ends of the range, so that inputs
  held at the most negative code drive layer 0's accumulator to its largest possible value and layer 1's
  (whose ReLU inputs then saturate at the largest code) to its smallest: the worst cases
  ``ModelConfig.accumulator_bits`` is sized for.
* ``ties``: half_even with weights that are multiples of half a unit (code 2048), so that about half of
  all accumulators are exact ties (``acc mod 2**12 == 2**11``) in every layer.
* ``gaps``: dilations that leave gaps in the receptive field (a dilated first layer, a second layer that
  skips past what the first covers).
* mutations of one half_up reference network, each injected from here while the generator runs (its
  helpers patched, or a modified network generated), to be compared with the *unmodified* golden model:
  one weight word and one bias word of a coefficient memory, the rounding constant, an accumulator one
  bit narrower (on ``extreme``), and the tap order swapped;
* ``fe_reference``: the core and every derived role, and its mutation: the front end latching the swing's
  crest from the wrong running extreme (``FrontEnd._swing_update`` patched).
"""

from __future__ import annotations

from unittest import mock

import numpy as np
from amaranth.hdl import signed

from common.config import LayerConfig, ModelConfig
from quantize.weights import QuantizedLayer, QuantizedNetwork, random_network

__all__ = ["check_networks", "extreme_stimulus", "mutated_designs", "ties_stimulus", "triangle_codes"]

FP = 4096  # FP4.12: 1.0
LO, HI = -32768, 32767


def plan_for(config: ModelConfig, lanes: list[int] | None = None):
    from rtl.plan import make_plan

    # A slow sample rate leaves every lane count inside the budget, so the lanes can be chosen freely.
    return make_plan(config, clock_hz=100_000_000, sample_rate_hz=48_000, multipliers=1000, lanes=lanes)


def extreme_network() -> QuantizedNetwork:
    """Layer 0: 2 filters, K=2 over (core, e0), every weight -8.0, bias +8 - 2**-12; layer 1: 1 filter,
    K=2, d=2, every weight -8.0, bias -8.0."""
    config = ModelConfig(layers=(LayerConfig(2, 2, 1), LayerConfig(1, 2, 2)), name="extreme", inputs=("core", "e0"))
    return QuantizedNetwork(config, (QuantizedLayer(np.full((2, 2, 2), LO), np.full(2, HI)),
                                     QuantizedLayer(np.full((2, 2, 1), LO), np.full(1, LO))))


def extreme_stimulus(rng: np.random.Generator, samples: int = 240) -> np.ndarray:
    """Random codes with runs held at the most negative code long enough to fill both layers' taps."""
    x = rng.integers(LO, HI + 1, size=(samples, 2))
    for start in range(10, samples - 20, 60):
        x[start:start + 12] = LO
    return x.astype(np.int64)


def ties_network(rng: np.random.Generator) -> QuantizedNetwork:
    config = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(2, 3, 2)), name="ties", inputs=("core", "e0"),
                         rounding="half_even")
    layers = []
    for i, lc in enumerate(config.layers):
        weights = 2048 * rng.integers(-2, 3, size=(lc.kernel_size, config.in_channels(i), lc.filters))
        weights[0, 0, :] = 2048  # an odd multiple in every output: ties happen in every channel
        layers.append(QuantizedLayer(weights, rng.integers(-600, 600, size=lc.filters)))
    return QuantizedNetwork(config, tuple(layers))


def ties_stimulus(rng: np.random.Generator, samples: int = 300) -> np.ndarray:
    """Small odd and even codes: the outputs stay far from saturation, so every tie is rounded."""
    return rng.integers(-900, 900, size=(samples, 2)).astype(np.int64)


def gaps_network(rng: np.random.Generator) -> QuantizedNetwork:
    config = ModelConfig(layers=(LayerConfig(3, 3, 3), LayerConfig(2, 2, 9), LayerConfig(1, 2, 1)), name="gaps",
                         inputs=("core", "e0"))
    return random_network(config, rng, scale=0.5, extremes=0.05)


def reference_network() -> QuantizedNetwork:
    """The half_up network the mutations are made from."""
    config = ModelConfig(layers=(LayerConfig(3, 3, 1), LayerConfig(2, 3, 2)), name="reference", inputs=("core", "e0"))
    return random_network(config, np.random.default_rng(41), scale=0.5, extremes=0.0)


def front_end_reference_network() -> QuantizedNetwork:
    """A network of the core and every derived role, for the front end's mutations."""
    config = ModelConfig(layers=(LayerConfig(3, 2, 1), LayerConfig(1, 2, 2)), name="fe_reference",
                         inputs=("core", "direction", "slope", "level", "rate"))
    return random_network(config, np.random.default_rng(43), scale=0.5, extremes=0.0)


def triangle_codes(samples: int, period: int = 40, amplitude: float = 0.8, seed: int = 3) -> np.ndarray:
    """A core triangle of ``period`` samples (a direction change every half period) with a little noise and
    a level that changes every few periods, as (samples, 1) codes: swings the front end must latch."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples)
    phase = (t % period) / period
    tri = np.where(phase < 0.5, 4 * phase - 1, 3 - 4 * phase)
    level = amplitude * (0.6 + 0.4 * ((t // (3 * period)) % 2))
    return np.round(FP * (level * tri + rng.normal(0, 0.002, samples))).astype(np.int64)[:, None]


def check_networks() -> list[tuple[str, QuantizedNetwork, object]]:
    rng = np.random.default_rng(31)
    nets = [extreme_network(), ties_network(rng), gaps_network(rng), reference_network(),
            front_end_reference_network()]
    return [(net.config.name, net, plan_for(net.config, [1] * len(net.config.layers))) for net in nets]


def mutated_designs() -> list[tuple[str, str, QuantizedNetwork, object, str]]:
    """``(module name, Verilog, unmodified network, plan, what was mutated)`` for every RTL-side mutation."""
    import rtl.conv_layer as conv_layer
    import rtl.lane as lane_module
    from rtl.generate import generate_verilog

    reference = reference_network()
    plan = plan_for(reference.config, [1, 1])
    designs = []

    real_rom = conv_layer.ConvLayer._rom_init

    def rom_with_one_word_changed(self, lane):
        words = real_rom(self, lane)
        if self.index == 0 and lane == 0:
            words[5] = words[5] + 1 if words[5] < HI else words[5] - 1
        return words

    with mock.patch.object(conv_layer.ConvLayer, "_rom_init", rom_with_one_word_changed):
        designs.append(("mut_rom_word", generate_verilog(reference, plan, name="mut_rom_word"), reference, plan,
                        "layer 0 coefficient memory word 5 (a weight) off by one"))

    def bias_word_changed(self, lane):
        words = real_rom(self, lane)
        if self.index == 1 and lane == 0:
            first_bias = self.plan.mac_cycles  # the biases follow the weights (rtl/coefficients.py)
            words[first_bias] += 1 if words[first_bias] < HI else -1
        return words

    with mock.patch.object(conv_layer.ConvLayer, "_rom_init", bias_word_changed):
        designs.append(("mut_bias_word", generate_verilog(reference, plan, name="mut_bias_word"), reference, plan,
                        "layer 1 bias word (group 0) off by one"))

    def no_rounding_constant(config):
        return 0

    with mock.patch.object(lane_module, "rounding_constant", no_rounding_constant):
        designs.append(("mut_rounding", generate_verilog(reference, plan, name="mut_rounding"), reference, plan,
                        "rounding constant R left out of the aligned bias"))

    # The hardware reads tap k at K-1-k dilation steps back; a swapped order is the same as ROMs holding the
    # kernel reversed along the tap axis.
    swapped = QuantizedNetwork(reference.config, tuple(QuantizedLayer(layer.weights[::-1], layer.bias)
                                                       for layer in reference.layers))
    designs.append(("mut_tap_order", generate_verilog(swapped, plan, name="mut_tap_order"), reference, plan,
                    "kernel taps read in swapped order"))

    from rtl.front_end import FrontEnd

    def wrong_extreme(x, *, rising, turned, above_max, below_min, hi, lo, run_max, run_min):
        from amaranth.hdl import Mux

        # the crest latched from the running minimum: the swing's top at the wrong extreme
        return [hi.eq(Mux(turned & ~rising, run_min, hi)), lo.eq(Mux(turned & rising, run_min, lo)),
                run_max.eq(Mux(rising & (turned | above_max), x, run_max)),
                run_min.eq(Mux(~rising & (turned | below_min), x, run_min))]

    fe_reference = front_end_reference_network()
    fe_plan = plan_for(fe_reference.config, [1, 1])
    with mock.patch.object(FrontEnd, "_swing_update", staticmethod(wrong_extreme)):
        designs.append(("mut_swing", generate_verilog(fe_reference, fe_plan, name="mut_swing"), fe_reference,
                        fe_plan, "front end: the swing's crest latched from the running minimum"))
    extreme = extreme_network()
    extreme_plan = plan_for(extreme.config, [1, 1])

    def one_bit_narrower(config, index):
        return signed(config.accumulator_bits(index) - 1)

    with mock.patch.object(lane_module, "accumulator_shape", one_bit_narrower):
        designs.append(("mut_narrow_acc", generate_verilog(extreme, extreme_plan, name="mut_narrow_acc"), extreme,
                        extreme_plan, "accumulators one bit narrower"))
    return designs
