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
        products registered again, out of the multiplier blocks; the phase's counts and sums take one step
        (at a turn: the half just ended latched, the count and sum taken over from the extreme's)
4       the products and the phase's sum shifted and saturated into the output register: ``o.valid`` from
        cycle 5, held until taken; ``hi + lo`` for the next sample; when it divides, the new swing ``hi - lo``
5       when it divides: the divisors ``max(hi - lo, span_floor)`` and ``max(half, 2)``
======  =====================================================================================================

When the network uses ``level`` or ``rate``, a restoring divider then computes the next reciprocal
``2**K // max(hi - lo, span_floor)``, one quotient bit per cycle (``K + 1`` cycles); when it uses ``phase``,
a second one beside it computes the increment ``2**(B + 1) // max(half, 2)`` of the direction the core is
*not* travelling (``B + 2`` cycles): that half was latched at the last turn and its increment is needed at
the next. ``phase`` itself is a sum, ``c * inc - 2**B`` kept by adding ``inc`` once a sample (one carry
chain, no multiplier); a second sum ``e * inc' - 2**B`` counts from the running extreme with the other
direction's increment, so that at a turn the phase restarts from the extreme with one addition. The next
input waits for the longer division: the front end takes a sample every ``front_end_cycles(config)`` cycles
at most, far below any sample period. ``i.ready`` depends on registers only. After reset the state is that of
``common.front_end.reset_state``: a cleared history, rising, the swing of the ideal +-1.0 wave.
"""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from common.devices import MULTIPLIER_WIDTH
from common.front_end import direction_code, history_depth, phase_increment, reciprocal, reset_state
from common.roles import CORE, jack_roles

from .multiplier import Multiplier
from .timing import quotient_bits, uses_division, uses_phase
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
        if p.timing:
            self._cycle3_phase(m, p)
        self._cycle4_output(m, p)
        if p.divide:
            self._reciprocal(m, p)
        if p.timing:
            self._phase_increment(m, p)
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
            self.timing = uses_phase(cfg)
            self.quotient_bits = quotient_bits(cfg)  # the longest division's cycles: it clears ``working``
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
            # phase: the counts since the last extreme and since the running one, the last rise's and fall's
            # lengths, their increments (at most 2**(B + 1) // 2 = 2**B: B + 1 bits), the sum c * inc - 2**B
            # (below 2**(B + 14)) and the sum from the running extreme e * inc' - 2**B
            longest, bits = self.fe.PHASE_COUNT_MAX, self.fe.PHASE_BITS
            self.count = Signal(range(longest + 1), init=start.count, name="phase_count")
            self.since = Signal(range(longest + 1), init=start.since_extreme, name="since_extreme")
            self.half_rise = Signal(range(longest + 1), init=start.half_rise, name="half_rise")
            self.half_fall = Signal(range(longest + 1), init=start.half_fall, name="half_fall")
            self.inc_rise = Signal(unsigned(bits + 1), init=int(phase_increment(cfg, start.half_rise)),
                                   name="inc_rise")
            self.inc_fall = Signal(unsigned(bits + 1), init=int(phase_increment(cfg, start.half_fall)),
                                   name="inc_fall")
            self.phase_sum = Signal(signed(bits + longest.bit_length() + 1),
                                    init=start.count * int(phase_increment(cfg, start.half_rise)) - (1 << bits),
                                    name="phase_sum")
            since_start = start.since_extreme * int(phase_increment(cfg, start.half_fall)) - (1 << bits)
            self.extreme_sum = Signal(signed(bits + longest.bit_length() + 1), init=since_start, name="extreme_sum")

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
            if not p.divide and not p.timing:
                m.d.sync += p.working.eq(0)
        p.level_held, p.rate_held = level_held, rate_held

    def _cycle3_phase(self, m, p) -> None:
        """Cycle 3, when the network uses ``phase`` (``common/front_end.py``): the count ``c`` and its sum
        ``c * inc - 2**B`` take one step; ``e``, the samples since the running extreme was set, and its sum
        ``e * inc' - 2**B`` (``inc'`` the other direction's increment) restart when the sample is fresh (a
        turn, or beyond the running extreme) and step otherwise. At a turn the half just ended, ``c - e``, is
        latched and ``c`` restarts at ``e + 1``, its sum at ``e * inc' + inc' - 2**B``: the other direction's
        increment is the new direction's. Each count and sum holds once its count has saturated."""
        bits, longest = p.fe.PHASE_BITS, p.fe.PHASE_COUNT_MAX
        count_full, since_full = p.count == longest, p.since == longest
        increment = Mux(p.rising, p.inc_rise, p.inc_fall)  # the direction after this sample's update
        other = Mux(p.rising, p.inc_fall, p.inc_rise)
        fresh = p.turned | Mux(p.rising, p.above_max, p.below_min)
        with m.If(p.stage[2]):
            with m.If(p.turned):
                ended = p.count - p.since  # extreme to extreme
                with m.If(p.rising):
                    m.d.sync += p.half_fall.eq(ended)
                with m.Else():
                    m.d.sync += p.half_rise.eq(ended)
                with m.If(~since_full):
                    m.d.sync += [p.count.eq(p.since + 1), p.phase_sum.eq(p.extreme_sum + increment)]
                with m.Else():
                    m.d.sync += [p.count.eq(longest), p.phase_sum.eq(p.extreme_sum)]
            with m.Elif(~count_full):
                m.d.sync += [p.count.eq(p.count + 1), p.phase_sum.eq(p.phase_sum + increment)]
            with m.If(fresh):
                m.d.sync += [p.since.eq(0), p.extreme_sum.eq(-(1 << bits))]
            with m.Elif(~since_full):
                m.d.sync += [p.since.eq(p.since + 1), p.extreme_sum.eq(p.extreme_sum + other)]

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
        if p.timing:
            derived["phase"] = self._saturate(p.phase_sum >> (fe.PHASE_BITS - p.fmt.frac_bits))
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
        """Cycles 4, 5 and on, when it divides: the next reciprocal, 2**K // max(hi - lo, span_floor)."""
        fe = p.fe
        span = Signal(p.wide, reset_less=True)
        with m.If(p.stage[3]):
            m.d.sync += span.eq(p.hi - p.lo)
        divisor = Mux(span > fe.span_floor, span, fe.span_floor)
        self._divide(m, p, "recip", numerator_bit=p.k_bits, divisor=divisor, divisor_width=p.width + 1,
                     results=[(Const(1), p.recip)])

    def _phase_increment(self, m, p) -> None:
        """Cycle 5 and on, when the network uses ``phase``: the increment of the direction the core is not
        travelling, 2**(B + 1) // max(half, 2), from the half latched at the last turn (recomputed every
        sample: it changes only at a turn, and it is next used after the next turn)."""
        fe, longest = p.fe, p.fe.PHASE_COUNT_MAX
        half = Mux(p.rising, p.half_fall, p.half_rise)
        divisor = Mux(half > fe.PHASE_HALF_FLOOR, half, fe.PHASE_HALF_FLOOR)
        for_rise = Signal()  # the direction the result is for, taken when the division starts
        with m.If(p.stage[4]):
            m.d.sync += for_rise.eq(~p.rising)
        self._divide(m, p, "inc", numerator_bit=fe.PHASE_BITS + 1, divisor=divisor,
                     divisor_width=longest.bit_length(), results=[(for_rise, p.inc_rise), (~for_rise, p.inc_fall)])

    @staticmethod
    def _divide(m, p, name, *, numerator_bit, divisor, divisor_width, results) -> None:
        """A restoring divider, ``2**numerator_bit // divisor``, one quotient bit per cycle from cycle 5
        (``numerator_bit + 1`` cycles): the divisor is registered in cycle 5, and at the last bit the
        quotient goes to the result register whose condition holds (``results``: (condition, register)).
        The dividers start together; the longest (``rtl.timing.quotient_bits``) ends the sample's work."""
        width = len(results[0][1])
        divisor_reg = Signal(unsigned(divisor_width), name=f"{name}_divisor", reset_less=True)
        remainder = Signal(unsigned(divisor_width), name=f"{name}_remainder", reset_less=True)
        quotient = Signal(unsigned(width), name=f"{name}_quotient", reset_less=True)
        bit = Signal(range(numerator_bit + 1), name=f"{name}_bit")
        dividing = Signal(name=f"{name}_dividing")
        first_bit = Signal(name=f"{name}_first_bit")  # the numerator's only 1 enters at the first quotient bit
        with m.If(p.stage[4]):
            m.d.sync += [divisor_reg.eq(divisor), remainder.eq(0), quotient.eq(0), bit.eq(numerator_bit),
                         dividing.eq(1), first_bit.eq(1)]
        with m.Elif(dividing):
            # one quotient bit per cycle: the trial remainder fits when trial - divisor is not negative, the
            # sign of the one subtraction (one carry chain) that is also the new remainder
            trial = Signal(unsigned(divisor_width + 1), name=f"{name}_trial")
            difference = Signal(signed(divisor_width + 2), name=f"{name}_difference")
            m.d.comb += [trial.eq((remainder << 1) | first_bit), difference.eq(trial - divisor_reg)]
            fits = ~difference[-1]
            next_quotient = (quotient << 1) | fits
            m.d.sync += [remainder.eq(Mux(fits, difference[:divisor_width], trial[:divisor_width])),
                         quotient.eq(next_quotient), bit.eq(bit - 1), first_bit.eq(0)]
            with m.If(bit == 0):
                m.d.sync += dividing.eq(0)
                for condition, register in results:
                    with m.If(condition):
                        m.d.sync += register.eq(next_quotient)
                if numerator_bit + 1 == p.quotient_bits:
                    m.d.sync += p.working.eq(0)
