"""``Lane``: one of a layer's ``P`` multiply-accumulate lanes, from its coefficient memory to its output code.

Lane ``p`` of a :class:`~rtl.conv_layer.ConvLayer` computes output channel ``g * P + p`` of every group ``g``.
It holds that channel's weights and biases in a block RAM of its own (the layout of ``rtl/coefficients.py``),
read at the step number by one port and at the group's bias by the other; the layer broadcasts the history's
sample and the control flags to every lane. Stages count the cycles after the step was issued, ``L`` =
``HISTORY_READ_LATENCY`` (docs/arithmetic.md arithmetic, exactly):

======  =========================================================================================
t       weight read issued (``step``)
t+1     weight data (RAM read), delayed in plain registers to match the history read
t+L-1   bias read issued (``group``'s bias word)
t+L     multiplier inputs: sample ``x`` and weight ``w``; bias data
t+L+1   product ``x * w`` (``rtl/multiplier.py``) and the aligned bias ``(b << df) + R`` registered
t+L+2   accumulator = (first step of a group ? aligned bias : accumulator) + product
t+L+3   after a group's last step: ``q = (acc >> shift) + round_up`` (half_even tie detection);
        ``y``, ``q`` saturated to ``data_format`` (+ ReLU), from here until the next group's ``q``
======  =========================================================================================

The flags that enable the accumulator and ``q`` are registers of the lane's own (``lane{p}_*_replica``),
taken from the layer's shared control pipeline one stage before they are used: one shared flag driving
every lane's accumulator multiplexer across the die was the slowest path of the ECPIX-5's largest network.
The synthesis script keeps them apart (``boards/toolchain/runner.py``, ``KEEP_REPLICAS``: every wire named
``*_replica``).
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig, rounding_constant

from .multiplier import Multiplier
from .plan import LayerPlan
from .timing import HISTORY_READ_LATENCY
from .types import accumulator_shape, requantized_shape, sample_shape, weight_shape

__all__ = ["COEFFICIENT_MEMORY_ATTRS", "Lane"]

#: Every coefficient memory is a block RAM, however small (yosys' ``memory_libmap`` would otherwise turn a
#: short one into LUTs): only block RAM contents can be patched into a routed design.
COEFFICIENT_MEMORY_ATTRS = {"ram_style": "block"}


class Lane(wiring.Component):
    """One lane of layer ``plan.index``: its coefficient memory, multiplier, accumulator and requantizer
    (module docstring: the stages).

    Parameters
    ----------
    config : ModelConfig
        The formats, the rounding mode and the layer's activation.
    plan : LayerPlan
        The layer's steps, groups and coefficient memory depth.
    number : int
        Which lane of the layer (``p``): it names the flag replicas.
    image : list of int
        The memory's ``plan.coefficient_depth`` signed words (``rtl.coefficients.coefficient_image``, or a
        template's random words: the hardware is the same).

    Ports
    -----
    step : In(range(plan.mac_cycles))
        The MAC step issued this cycle (stage 0): the weight's address.
    group : In(range(plan.groups))
        The group whose bias is read (stage ``L - 1``): the bias word follows the weights.
    x : In(sample_shape(config))
        The history's sample of the step (stage ``L``, a register).
    valid, first : In(1)
        Stage ``L``: the multiplier inputs hold a MAC step; it is its group's first (the accumulator starts
        from the aligned bias).
    last : In(1)
        Stage ``L + 1``: the product register holds a MAC step that is its group's last (``q`` takes the
        accumulator one cycle later).
    y : Out(sample_shape(config))
        The group's output code, saturated (+ ReLU), from stage ``L + 3`` until the next group's ``q``."""

    def __init__(self, config: ModelConfig, plan: LayerPlan, number: int, image: list[int]):
        if len(image) != plan.coefficient_depth:
            raise ValueError(f"layer {plan.index} lane {number}: the image must have {plan.coefficient_depth} "
                             f"words, got {len(image)}")
        self.config = config
        self.plan = plan
        self.number = number
        self.image = list(image)
        self.relu = config.has_relu(plan.index)
        super().__init__({
            "step": In(range(plan.mac_cycles)),
            "group": In(range(plan.groups)),
            "x": In(sample_shape(config)),
            "valid": In(1),
            "first": In(1),
            "last": In(1),
            "y": Out(sample_shape(config)),
        })

    def elaborate(self, platform):
        m = Module()
        weight, raw_bias = self._coefficients(m)
        product = self._product(m, weight)
        acc = self._accumulator(m, raw_bias, product)
        q = self._requantize(m, acc)
        self._saturate(m, q)
        return m

    def _coefficients(self, m):
        """Stages 0 to ``L``: the weight read at the step number, delayed to the multiplier input stage ``L``
        like the history read; the bias read at the group's bias word (the biases follow the weights,
        ``rtl/coefficients.py``), its data at stage ``L``. Returns (weight, raw bias), both at stage ``L``."""
        cfg, plan = self.config, self.plan
        rom = memory.Memory(shape=weight_shape(cfg), depth=plan.coefficient_depth, init=self.image,
                            attrs=COEFFICIENT_MEMORY_ATTRS)
        m.submodules.coefficients = rom
        weight_read = rom.read_port(domain="sync")
        bias_read = rom.read_port(domain="sync")
        m.d.comb += [weight_read.addr.eq(self.step), bias_read.addr.eq(plan.mac_cycles + self.group)]
        weight = weight_read.data
        for stage in range(2, HISTORY_READ_LATENCY + 1):
            # data registers, read only under the valid flags: no reset (the reset net stays small)
            delayed = Signal(weight_shape(cfg), name=f"w_{stage}", reset_less=True)
            m.d.sync += delayed.eq(weight)
            weight = delayed
        return weight, bias_read.data

    def _product(self, m, weight):
        """Stage ``L + 1``: the product ``x * w`` in the multiplier's own register."""
        cfg = self.config
        m.submodules.multiplier = multiplier = Multiplier(cfg.data_format.width, cfg.weight_format.width)
        m.d.comb += [multiplier.a.eq(self.x), multiplier.b.eq(weight)]
        return multiplier.p

    def _accumulator(self, m, raw_bias, product):
        """Stages ``L + 1`` and ``L + 2``: the aligned bias ``(b << df) + R`` (docs/arithmetic.md) registered
        beside the product, then the accumulator, started from it at a group's first step."""
        cfg, index = self.config, self.plan.index
        df = cfg.data_format.frac_bits
        rounding = rounding_constant(cfg)
        bias = Signal(accumulator_shape(cfg, index), name="bias", reset_less=True)
        acc = Signal(accumulator_shape(cfg, index), name="acc", reset_less=True)
        # R has a single bit, and when it lies below df it only fills the zeros the shift made (wires, no adder).
        if rounding < (1 << df):
            aligned = Cat(Const(rounding, df), raw_bias).as_signed()
        else:
            aligned = (raw_bias << df) + rounding
        m.d.sync += bias.eq(aligned)
        acc_valid = Signal(name=f"lane{self.number}_valid_replica")   # the step's valid flag at stage L + 1
        acc_first = Signal(name=f"lane{self.number}_first_replica")   # its first flag at stage L + 1
        m.d.sync += [acc_valid.eq(self.valid), acc_first.eq(self.first)]
        with m.If(acc_valid):
            m.d.sync += acc.eq(Mux(acc_first, bias, acc) + product)
        return acc

    def _requantize(self, m, acc):
        """Stage ``L + 3``: ``q = (acc >> shift) + round_up`` after the group's last step. ``R`` is already in
        the bias, the shift is a wire selection; half_even rounds a tie up only to an even ``q``."""
        cfg = self.config
        shift = cfg.requant_shift
        q = Signal(requantized_shape(cfg, self.plan.index), name="q", reset_less=True)
        q_load = Signal(name=f"lane{self.number}_last_replica")       # the group's last step at stage L + 2
        m.d.sync += q_load.eq(self.last)
        floor_q = acc >> shift
        if cfg.rounding == "half_even" and shift > 0:
            rem = acc[:shift]
            round_up = rem[shift - 1] & (rem[:shift - 1].any() | acc[shift])
        else:
            round_up = Const(0, 1)
        with m.If(q_load):
            m.d.sync += q.eq(floor_q + round_up)
        return q

    def _saturate(self, m, q) -> None:
        """``y``: ``q`` saturated to ``data_format`` (never wrapped), then ReLU."""
        fmt = self.config.data_format
        width = fmt.width
        top = q[width - 1:]
        fits = ~top.any() | top.all()
        negative = q[-1]
        if self.relu:
            m.d.comb += self.y.eq(Mux(negative, 0, Mux(fits, q[:width], fmt.max_int)))
        else:
            m.d.comb += self.y.eq(Mux(fits, q[:width], Mux(negative, fmt.min_int, fmt.max_int)))
