"""``FrontEnd``: the jack codes in, the network's input vector out (docs/arithmetic.md, "Front end").

One sample at a time through five registered stages, ``FRONT_END_LATENCY`` cycles from the input transfer
to ``o.valid`` (``rtl/plan.py`` counts them in the network's latency). Each stage is at most one carry chain
and a multiplexer deep between registers, so the front end keeps up with the network's own clock (a
subtraction feeding a comparison feeding the swing's update in one cycle was the slowest path of the
network domain on a 25F):

======  =====================================================================================================
cycle   what happens
======  =====================================================================================================
0       input taken into registers (the core and the jacks passed through)
1       the direction tests ``x[t] - x[t-L] >= T`` and ``<= -T``, the step ``x[t] - x[t-1]``, ``2x - hi - lo``
        with the swing *before* this sample, and its reciprocal; the core history moves on
2       the direction (hold between the tests), the slope (shift, saturate), x against the running
        extremes, and the two products
        ``(2x - hi - lo) * recip`` and ``step * recip`` (one 18 x 18 multiplier block each,
        ``rtl/multiplier.py``)
3       the swing's state (latched ``hi``/``lo`` at a turn, the running extremes) takes the sample; the
        products registered again, out of the multiplier blocks
4       the products shifted and saturated into the output register: ``o.valid`` from cycle 5, held until
        taken; ``hi + lo`` for the next sample; when it divides, the new swing ``hi - lo``
5       when it divides: the divisor ``max(hi - lo, span_floor)``
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
from common.devices import MULTIPLIER_WIDTH
from common.front_end import direction_code, history_depth, reciprocal, reset_state
from common.roles import CORE, jack_roles

from .multiplier import Multiplier
from .timing import uses_division
from .types import SampleVector, sample_shape

__all__ = ["FrontEnd"]


class FrontEnd(wiring.Component):
    """The jack codes in, the network's input vector out (module docstring: five registered stages).

    Parameters
    ----------
    config : ModelConfig
        The inputs (``config.inputs``), the data format and the front end's settings.

    Ports
    -----
    i : In(stream.Signature(SampleVector(config, len(jack_roles(config.inputs)))))
        The jack roles ``common.roles.jack_roles(config.inputs)``, in that order.
    o : Out(stream.Signature(SampleVector(config, config.n_inputs)))
        One code per ``config.inputs`` role."""

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

    @staticmethod
    def _swing_update(x, *, rising, turned, above_max, below_min, hi, lo, run_max, run_min) -> list:
        """Cycle 3's update of the swing (``docs/arithmetic.md``, Front end): at a turn the extreme just left
        is latched, the crest into ``hi`` when the core turns down and the trough into ``lo`` when it turns
        up; a turn restarts the running extreme at ``x``, otherwise ``x`` extends it in the direction of
        travel."""
        return [
            hi.eq(Mux(turned & ~rising, run_max, hi)),
            lo.eq(Mux(turned & rising, run_min, lo)),
            run_max.eq(Mux(rising & (turned | above_max), x, run_max)),
            run_min.eq(Mux(~rising & (turned | below_min), x, run_min)),
        ]

    def elaborate(self, platform):
        m = Module()
        p = self._State(self.config)
        self._take(m, p)
        self._cycle1_tests(m, p)
        self._cycle2_direction_slope_products(m, p)
        self._cycle3_swing(m, p)
        self._cycle4_output(m, p)
        if p.divide:
            self._reciprocal(m, p)
        return m

    class _State:
        """The front end's widths and its state between samples (the values after the previous sample), and
        the pipeline's signals as the steps of :meth:`elaborate` add them."""

        def __init__(self, cfg: ModelConfig):
            self.cfg = cfg
            self.fe, self.fmt = cfg.front_end, cfg.data_format
            self.width = self.fmt.width
            self.shape = sample_shape(cfg)
            self.wide = signed(self.width + 2)  # 2x - hi - lo, hi - lo and the differences, exactly
            self.k_bits = self.fe.reciprocal_bits
            self.divide = uses_division(cfg)
            start = self.start = reset_state(cfg)
            shape = self.shape
            self.past = [Signal(shape, name=f"core_{k + 1}") for k in range(history_depth(cfg))]
            self.rising = Signal(init=1, name="rising")
            self.hi = Signal(shape, init=start.hi, name="hi")
            self.lo = Signal(shape, init=start.lo, name="lo")
            self.run_max = Signal(shape, init=start.run_max, name="run_max")
            self.run_min = Signal(shape, init=start.run_min, name="run_min")
            # at most 2**17 - 1 (common/config.py FrontEndConfig.reciprocal_bits): one 18-bit multiplier operand
            self.recip = Signal(unsigned(17), init=int(reciprocal(cfg, start.hi, start.lo)), name="recip")

    def _take(self, m, p) -> None:
        """Cycle 0: take the sample; the stage flags follow it down the pipeline."""
        busy = Signal()      # a sample is in the pipeline or waiting in the output register
        working = Signal()   # the state (and the next reciprocal) is not yet updated for the last sample
        m.d.comb += self.i.ready.eq(~busy & ~working)
        take = self.i.valid & self.i.ready
        stage = [Signal(name=f"stage{k}") for k in range(1, 6)]  # stage[k - 1]: cycle k of the sample
        m.d.sync += [stage[0].eq(take)] + [stage[k].eq(stage[k - 1]) for k in range(1, len(stage))]

        # data registers: written before they are read, no reset; x is the core in the taken vector
        passthrough = Signal(SampleVector(p.cfg, len(self.jack_roles)), reset_less=True)
        x = passthrough[self.jack_roles.index(CORE)]
        with m.If(take):
            m.d.sync += [busy.eq(1), working.eq(1), passthrough.eq(self.i.payload)]
        p.busy, p.working, p.stage, p.passthrough, p.x = busy, working, stage, passthrough, x

    def _cycle1_tests(self, m, p) -> None:
        """Cycle 1: the tests, the step, the level's numerator.

        x[t] - x[t-L] >= T  <=>  x[t] >= x[t-L] + T (and <= -T likewise), exact integers: the bounds
        x[t-L] +- T travel beside the history in registers, so each test is one comparison. hi + lo is
        kept summed (cycle 4), so 2x - (hi + lo) is one subtraction."""
        fe, fmt, wide, x, past = p.fe, p.fmt, p.wide, p.x, p.past
        lag, threshold = fe.direction_lag, fe.direction_threshold
        bound = range(fmt.min_int - abs(threshold), fmt.max_int + abs(threshold) + 1)
        above = [Signal(bound, init=threshold, name=f"core_{k + 1}_plus") for k in range(lag)]
        below = [Signal(bound, init=-threshold, name=f"core_{k + 1}_minus") for k in range(lag)]
        hi_lo = Signal(wide, init=p.start.hi + p.start.lo)
        up, down = Signal(), Signal()
        step = Signal(wide, reset_less=True)
        level_in = Signal(wide, reset_less=True)
        recip_in = Signal(unsigned(17), reset_less=True)
        with m.If(p.stage[0]):
            m.d.sync += [up.eq(x >= above[lag - 1]), down.eq(x <= below[lag - 1]), step.eq(x - past[0]),
                         level_in.eq((x << 1) - hi_lo), recip_in.eq(p.recip), past[0].eq(x),
                         above[0].eq(x + threshold), below[0].eq(x - threshold)]
            m.d.sync += [past[k].eq(past[k - 1]) for k in range(1, len(past))]
            m.d.sync += [above[k].eq(above[k - 1]) for k in range(1, lag)]
            m.d.sync += [below[k].eq(below[k - 1]) for k in range(1, lag)]
        p.hi_lo, p.up, p.down, p.step, p.level_in, p.recip_in = hi_lo, up, down, step, level_in, recip_in

    def _cycle2_direction_slope_products(self, m, p) -> None:
        """Cycle 2: the direction, the slope, x against the running extremes, and the two products."""
        cfg, fe, shape, width, x, rising = p.cfg, p.fe, p.shape, p.width, p.x, p.rising
        rising_now = Mux(p.up, 1, Mux(p.down, 0, rising))
        turned = Signal()
        above_max, below_min = Signal(), Signal()  # against the running extremes before this sample
        direction = Signal(shape, reset_less=True)
        slope = Signal(shape, reset_less=True)
        with m.If(p.stage[1]):
            m.d.sync += [
                rising.eq(rising_now),
                turned.eq(rising_now != rising),
                direction.eq(Mux(rising_now, direction_code(cfg, True), direction_code(cfg, False))),
                slope.eq(self._saturate(p.step << fe.slope_shift)),
                above_max.eq(x > p.run_max),
                below_min.eq(x < p.run_min),
            ]
        # The products of cycle 2: their operands are registers that hold until the next sample, so the
        # product registers need no enable, and on an ECP5 they are the multiplier blocks' own
        # (``rtl/multiplier.py``) when the operands fit them.
        products = []
        for name, operand in (("level", p.level_in), ("rate", p.step)):
            if width + 2 <= MULTIPLIER_WIDTH:
                m.submodules[f"{name}_multiplier"] = multiplier = Multiplier(width + 2, MULTIPLIER_WIDTH)
                m.d.comb += [multiplier.a.eq(operand), multiplier.b.eq(p.recip_in)]
                products.append(multiplier.p)
            else:
                product = Signal(signed(width + 2 + MULTIPLIER_WIDTH), name=f"{name}_product", reset_less=True)
                m.d.sync += product.eq(operand * p.recip_in)
                products.append(product)
        p.level_product, p.rate_product = products
        p.turned, p.above_max, p.below_min, p.direction, p.slope = turned, above_max, below_min, direction, slope

    def _cycle3_swing(self, m, p) -> None:
        """Cycle 3: the swing's state takes the sample; the products registered again (out of the multiplier
        blocks, the route to the saturation logic gets a cycle of its own)."""
        level_held = Signal.like(p.level_product, reset_less=True)
        rate_held = Signal.like(p.rate_product, reset_less=True)
        m.d.sync += [level_held.eq(p.level_product), rate_held.eq(p.rate_product)]
        with m.If(p.stage[2]):
            m.d.sync += self._swing_update(p.x, rising=p.rising, turned=p.turned, above_max=p.above_max,
                                           below_min=p.below_min, hi=p.hi, lo=p.lo, run_max=p.run_max,
                                           run_min=p.run_min)
            if not p.divide:
                m.d.sync += p.working.eq(0)
        p.level_held, p.rate_held = level_held, rate_held

    def _cycle4_output(self, m, p) -> None:
        """Cycle 4: shifted and saturated into the output register, held until taken; hi + lo for the next
        sample."""
        cfg, fe = p.cfg, p.fe
        shift = p.k_bits - p.fmt.frac_bits
        derived = {
            "zero": Const(0, p.shape),
            "direction": p.direction,
            "slope": p.slope,
            "level": self._saturate(p.level_held >> shift),
            "rate": self._saturate(p.rate_held >> (shift - fe.rate_shift)),
        }
        with m.If(p.stage[3]):
            m.d.sync += self.o.valid.eq(1)
            for c, role in enumerate(cfg.inputs):
                source = (p.passthrough[self.jack_roles.index(role)] if role in self.jack_roles
                          else derived[role])
                m.d.sync += self.o.payload[c].eq(source)
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += [self.o.valid.eq(0), p.busy.eq(0)]
        with m.If(p.stage[3]):
            m.d.sync += p.hi_lo.eq(p.hi + p.lo)

    def _reciprocal(self, m, p) -> None:
        """Cycles 4, 5 and on, when it divides: the next reciprocal, 2**K // max(hi - lo, span_floor), by
        restoring division, one quotient bit per cycle."""
        fe, width, k_bits = p.fe, p.width, p.k_bits
        span = Signal(p.wide, reset_less=True)
        divisor = Signal(unsigned(width + 1), reset_less=True)
        remainder = Signal(unsigned(width + 2), reset_less=True)
        quotient = Signal(unsigned(17), reset_less=True)
        bit = Signal(range(k_bits + 1))
        dividing = Signal()
        with m.If(p.stage[3]):
            m.d.sync += span.eq(p.hi - p.lo)
        first_bit = Signal()  # the numerator's only 1 is bit K: it enters at the first quotient bit
        with m.If(p.stage[4]):
            m.d.sync += [divisor.eq(Mux(span > fe.span_floor, span, fe.span_floor)), remainder.eq(0),
                         quotient.eq(0), bit.eq(k_bits), dividing.eq(1), first_bit.eq(1)]
        with m.Elif(dividing):
            # one quotient bit per cycle: the trial remainder fits when trial - divisor is not
            # negative, the sign of the one subtraction (one carry chain) that is also the new remainder
            trial = Signal(unsigned(width + 2))
            difference = Signal(signed(width + 4))
            m.d.comb += [trial.eq((remainder << 1) | first_bit), difference.eq(trial - divisor)]
            fits = ~difference[-1]
            next_quotient = (quotient << 1) | fits
            m.d.sync += [remainder.eq(Mux(fits, difference[:width + 2], trial)), quotient.eq(next_quotient),
                         bit.eq(bit - 1), first_bit.eq(0)]
            with m.If(bit == 0):
                m.d.sync += [p.recip.eq(next_quotient), dividing.eq(0), p.working.eq(0)]
