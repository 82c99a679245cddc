"""``FrontEnd``: the jack codes in, the network's input vector out (docs/arithmetic.md, "Front end").

Combinational between two streams (``o.valid = i.valid``, ``i.ready = o.ready``), with the state updated
on each transfer: the last ``history_depth`` core codes in a shift register and the direction cue in one
flip-flop. So it adds no cycle of latency and the network's plan is unchanged. The arithmetic is one
subtract-and-compare pair for the direction and one subtract, shift and saturate for the slope, a few
dozen LUTs next to the layers; ``common/front_end.py`` is the golden form it is checked against.

After reset the core history is zero and the direction is "rising", as in ``common.front_end.reset_state``.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from common.front_end import direction_code, history_depth
from common.roles import CORE, jack_roles

from .types import SampleVector, sample_shape

__all__ = ["FrontEnd"]


class FrontEnd(wiring.Component):
    """``i``: the jack roles ``common.roles.jack_roles(config.inputs)`` in that order; ``o``: one code per
    ``config.inputs`` role."""

    def __init__(self, config: ModelConfig):
        self.config = config
        self.jack_roles = jack_roles(config.inputs)
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, len(self.jack_roles)))),
            "o": Out(stream.Signature(SampleVector(config, config.n_inputs))),
        })

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        fe, fmt = cfg.front_end, cfg.data_format
        shape = sample_shape(cfg)

        m.d.comb += [self.o.valid.eq(self.i.valid), self.i.ready.eq(self.o.ready)]
        transfer = self.i.valid & self.o.ready

        core = self.i.payload[self.jack_roles.index(CORE)]
        # past[k] holds the core k+1 samples ago (cleared by reset: the causal zero padding)
        past = [Signal(shape, name=f"core_{k + 1}") for k in range(history_depth(cfg))]
        rising = Signal(init=1)

        diff = Signal(range(2 * fmt.min_int, 2 * fmt.max_int + 1))
        m.d.comb += diff.eq(core - past[fe.direction_lag - 1])
        rising_now = Mux(diff >= fe.direction_threshold, 1, Mux(diff <= -fe.direction_threshold, 0, rising))

        step = Signal(range(2 * fmt.min_int, 2 * fmt.max_int + 1))
        m.d.comb += step.eq(core - past[0])
        shifted = step << fe.slope_shift
        slope = Mux(shifted > fmt.max_int, fmt.max_int, Mux(shifted < fmt.min_int, fmt.min_int, shifted))

        with m.If(transfer):
            m.d.sync += [past[0].eq(core), rising.eq(rising_now)]
            m.d.sync += [past[k].eq(past[k - 1]) for k in range(1, len(past))]

        derived = {
            "zero": Const(0, shape),
            "direction": Mux(rising_now, Const(direction_code(cfg, True), shape),
                             Const(direction_code(cfg, False), shape)),
            "slope": slope,
        }
        for c, role in enumerate(cfg.inputs):
            source = self.i.payload[self.jack_roles.index(role)] if role in self.jack_roles else derived[role]
            m.d.comb += self.o.payload[c].eq(source)
        return m
