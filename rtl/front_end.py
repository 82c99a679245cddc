"""``FrontEnd``: the jack codes in, the network's input vector out (docs/arithmetic.md, "Front end").

One sample at a time through three registered stages, ``FRONT_END_LATENCY`` cycles from the input
transfer to ``o.valid`` (``rtl/plan.py`` counts them in the network's latency):

======  =====================================================================================================
cycle   what happens
======  =====================================================================================================
0       input taken: direction (subtract, compare, hold), slope (subtract, shift, saturate), ``2x - hi - lo``
        and the step registered with the reciprocal of the swing *before* this sample; the state (core
        history, direction, running extremes, latched ``hi``/``lo``) takes the sample in
1       the two products ``(2x - hi - lo) * recip`` and ``step * recip`` (one 18 x 18 multiplier each)
2       shifted and saturated into the output register: ``o.valid`` from cycle 3, held until taken
======  =====================================================================================================

When the network uses ``level`` or ``rate``, a restoring divider then computes the next reciprocal
``2**K // max(hi - lo, span_floor)``, one quotient bit per cycle (``K + 1`` cycles), and the next input
waits for it: the front end takes a sample every ``front_end_cycles(config)`` cycles at most, far below
any sample period. ``i.ready`` depends on registers only. After reset the state is that of
``common.front_end.reset_state``: a cleared history, rising, the swing of the ideal +-1.0 wave.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from common.front_end import direction_code, history_depth, reciprocal, reset_state
from common.roles import CORE, jack_roles

from .plan import uses_division
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

    def _saturate(self, value):
        fmt = self.config.data_format
        return Mux(value > fmt.max_int, fmt.max_int, Mux(value < fmt.min_int, fmt.min_int, value))

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        fe, fmt = cfg.front_end, cfg.data_format
        width = fmt.width
        shape = sample_shape(cfg)
        wide = signed(width + 2)  # 2x - hi - lo, hi - lo and the differences, exactly
        k_bits = fe.reciprocal_bits
        divide = uses_division(cfg)
        start = reset_state(cfg)

        # -- state (the values after the previous sample) ---------------------------------------------
        past = [Signal(shape, name=f"core_{k + 1}") for k in range(history_depth(cfg))]
        rising = Signal(init=1)
        hi = Signal(shape, init=start.hi)
        lo = Signal(shape, init=start.lo)
        run_max = Signal(shape, init=start.run_max)
        run_min = Signal(shape, init=start.run_min)
        # at most 2**17 - 1 (common/config.py FrontEndConfig.reciprocal_bits): one 18-bit multiplier operand
        recip = Signal(unsigned(17), init=int(reciprocal(cfg, start.hi, start.lo)))

        # -- cycle 0: take the sample ---------------------------------------------------------------------
        busy = Signal()      # a sample is in the pipeline or waiting in the output register
        dividing = Signal()  # the next reciprocal is being computed
        m.d.comb += self.i.ready.eq(~busy & ~dividing)
        take = self.i.valid & self.i.ready

        core = self.i.payload[self.jack_roles.index(CORE)]
        diff = Signal(wide)
        step = Signal(wide)
        m.d.comb += [diff.eq(core - past[fe.direction_lag - 1]), step.eq(core - past[0])]
        rising_now = Mux(diff >= fe.direction_threshold, 1, Mux(diff <= -fe.direction_threshold, 0, rising))

        passthrough = Signal(SampleVector(cfg, len(self.jack_roles)))
        direction = Signal(shape)
        slope = Signal(shape)
        level_in = Signal(wide)
        step_in = Signal(wide)
        recip_in = Signal.like(recip)
        hi_next, lo_next = Signal(shape), Signal(shape)
        max_next, min_next = Signal(shape), Signal(shape)
        turned = rising_now != rising
        m.d.comb += [
            hi_next.eq(Mux(turned & ~rising_now, run_max, hi)),
            lo_next.eq(Mux(turned & rising_now, run_min, lo)),
            max_next.eq(Mux(turned & rising_now, core, run_max)),
            min_next.eq(Mux(turned & ~rising_now, core, run_min)),
        ]
        with m.If(take):
            m.d.sync += [
                busy.eq(1),
                passthrough.eq(self.i.payload),
                direction.eq(Mux(rising_now, direction_code(cfg, True), direction_code(cfg, False))),
                slope.eq(self._saturate(step << fe.slope_shift)),
                level_in.eq(2 * core - hi - lo),
                step_in.eq(step),
                recip_in.eq(recip),
                past[0].eq(core),
                rising.eq(rising_now),
                hi.eq(hi_next),
                lo.eq(lo_next),
                run_max.eq(Mux(rising_now & (core > max_next), core, max_next)),
                run_min.eq(Mux(~rising_now & (core < min_next), core, min_next)),
            ]
            m.d.sync += [past[k].eq(past[k - 1]) for k in range(1, len(past))]

        # -- cycle 1: the products; cycle 2: shift and saturate -------------------------------------------
        stage1, stage2 = Signal(), Signal()
        level_product = Signal(signed(width + 2 + 18))
        rate_product = Signal(signed(width + 2 + 18))
        m.d.sync += [stage1.eq(take), stage2.eq(stage1)]
        with m.If(stage1):
            m.d.sync += [level_product.eq(level_in * recip_in), rate_product.eq(step_in * recip_in)]
        shift = k_bits - fmt.frac_bits
        derived = {
            "zero": Const(0, shape),
            "direction": direction,
            "slope": slope,
            "level": self._saturate(level_product >> shift),
            "rate": self._saturate(rate_product >> (shift - fe.rate_shift)),
        }
        with m.If(stage2):
            m.d.sync += self.o.valid.eq(1)
            for c, role in enumerate(cfg.inputs):
                source = (passthrough[self.jack_roles.index(role)] if role in self.jack_roles else derived[role])
                m.d.sync += self.o.payload[c].eq(source)
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += [self.o.valid.eq(0), busy.eq(0)]

        # -- the next reciprocal: 2**K // max(hi - lo, span_floor), restoring division --------------------
        if divide:
            divisor = Signal(unsigned(width + 1))
            remainder = Signal(unsigned(width + 2))
            quotient = Signal.like(recip)
            bit = Signal(range(k_bits + 1))
            span = Signal(wide)
            m.d.comb += span.eq(hi_next - lo_next)
            with m.If(take):
                m.d.sync += [divisor.eq(Mux(span > fe.span_floor, span, fe.span_floor)), remainder.eq(0),
                             quotient.eq(0), bit.eq(k_bits), dividing.eq(1)]
            with m.Elif(dividing):
                trial = Signal(unsigned(width + 2))
                m.d.comb += trial.eq((remainder << 1) | (bit == k_bits))  # the numerator's only 1 is bit K
                fits = trial >= divisor
                next_quotient = (quotient << 1) | fits
                m.d.sync += [remainder.eq(Mux(fits, trial - divisor, trial)), quotient.eq(next_quotient),
                             bit.eq(bit - 1)]
                with m.If(bit == 0):
                    m.d.sync += [recip.eq(next_quotient), dividing.eq(0)]
        return m
