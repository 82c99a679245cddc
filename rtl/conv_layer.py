"""``ConvLayer``: one causal dilated Conv1D as an independent engine between two streams.

``K`` taps x ``Cin`` inputs x ``Cout`` outputs multiply-accumulates are time-shared over ``P = plan.lanes``
multipliers: outputs are computed in ``G = ceil(Cout / P)`` groups (lane ``p`` of group ``g`` computes
output channel ``g * P + p``); a group is ``K * Cin`` steps, one per cycle. Each step reads one value
(tap ``k``, channel ``c``) from the input history and broadcasts it to the ``P`` lanes; every lane has its
own coefficient memory (its weights in step order, then its biases: ``rtl/coefficients.py``), a block RAM
whose initial contents are the weights, read at the step number by one port and at the group's bias by
the other. Weights and biases live nowhere else, so new weights can be patched into a routed design.

Pipeline of one step issued in cycle ``t`` (docs/arithmetic.md arithmetic, exactly):

======  =========================================================================================
t       history read (tap, channel) and weight read (step number) issued
t+1     weight data (RAM read); history read in flight (L = ``HISTORY_READ_LATENCY`` = 4 cycles)
t+L-1   bias read issued (the group's bias word)
t+L     multiplier inputs registered: sample ``x`` and weight ``w`` (weight delayed to match); bias data
t+L+1   product ``x * w`` and the group's aligned bias ``(b << df) + R`` registered (``rtl/multiplier.py``:
        on an ECP5 the product register is the MULT18X18D's own output register)
t+L+2   accumulator = (first step of a group ? aligned bias : accumulator) + product
t+L+3   after a group's last step: ``q = (acc >> shift) + round_up`` (half_even tie detection)
t+L+4   ``q`` saturated to ``data_format`` (+ ReLU) and shifted into the result vector
======  =========================================================================================

When the last group is in, the result moves to the output register (``o.valid``) as soon as that is
empty, and on the same cycle the next input may be accepted. ``i.ready`` depends on registers only
(never combinationally on ``o.ready``), so a chain of layers has no long ready path; the result register
plus the output register form a double buffer, so the cycle this costs under backpressure is hidden.
The timing is the one ``rtl/plan.py`` declares (``LAYER_OVERHEAD_CYCLES``, ``LAYER_LATENCY_OVERHEAD``)
and the tests measure.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig, rounding_constant
from quantize.weights import QuantizedLayer

from .activation_cache import ActivationCache
from .coefficients import coefficient_image
from .multiplier import Multiplier
from .plan import HISTORY_READ_LATENCY, LayerPlan
from .shift_buffer import ShiftBuffer
from .types import SampleVector, accumulator_shape, requantized_shape, sample_shape, weight_shape

__all__ = ["COEFFICIENT_MEMORY_ATTRS", "ConvLayer"]

#: Every coefficient memory is a block RAM, however small (yosys' ``memory_libmap`` would otherwise turn a
#: short one into LUTs): only block RAM contents can be patched into a routed design.
COEFFICIENT_MEMORY_ATTRS = {"ram_style": "block"}


class ConvLayer(wiring.Component):
    """``images``: per lane, the memory contents to build with instead of ``layer``'s (a template of
    random words, ``rtl.coefficients.template_images``); the hardware is the same either way."""

    def __init__(self, config: ModelConfig, index: int, layer: QuantizedLayer, plan: LayerPlan, *,
                 images: list[list[int]] | None = None):
        self.config = config
        self.index = index
        self.layer = layer
        self.plan = plan
        if images is not None and (len(images) != plan.lanes
                                   or any(len(image) != plan.coefficient_depth for image in images)):
            raise ValueError(f"layer {index}: images must be {plan.lanes} lists of {plan.coefficient_depth} words")
        self.images = images
        lc = config.layers[index]
        self.kernel_size = lc.kernel_size
        self.dilation = lc.dilation
        self.in_channels = config.in_channels(index)
        self.out_channels = lc.filters
        self.relu = config.has_relu(index)
        if plan.lanes < 1 or plan.groups != -(-self.out_channels // plan.lanes):
            raise ValueError(f"layer {index}: plan has {plan.lanes} lanes x {plan.groups} groups for "
                             f"{self.out_channels} outputs")
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, self.in_channels))),
            "o": Out(stream.Signature(SampleVector(config, self.out_channels))),
        })
        history_cls = ShiftBuffer if plan.cache_kind == "registers" else ActivationCache
        #: The input history (registers for layer 0, a block-RAM ring buffer otherwise).
        self.history = history_cls(config, self.in_channels, self.kernel_size, self.dilation)
        #: 1 while MAC steps are issued, i.e. while the history is read (observed by the formal proofs).
        self.running = Signal()
        #: 1 from a sample's acceptance until its result moves to the output register, and 1 while the result
        #: vector holds a whole sample: the handshake state, observed by the formal proofs.
        self.pending = Signal()
        self.complete = Signal()

    # -- memory contents ----------------------------------------------------------------------------

    def _rom_init(self, lane: int) -> list[int]:
        """The initial contents of ``lane``'s coefficient memory (``rtl.coefficients``)."""
        if self.images is not None:
            return list(self.images[lane])
        return coefficient_image(self.config, self.layer, self.plan, lane)

    # -- hardware -----------------------------------------------------------------------------------

    def elaborate(self, platform):
        m = Module()
        cfg = self.config
        K, cin, lanes, groups = self.kernel_size, self.in_channels, self.plan.lanes, self.plan.groups
        steps = groups * K * cin
        shift = cfg.requant_shift
        fmt = cfg.data_format
        width = fmt.width
        acc_shape = accumulator_shape(cfg, self.index)

        m.submodules.history = history = self.history

        # -- handshake and sequencing ---------------------------------------------------------------
        running = self.running  # issuing MAC steps
        pending = self.pending    # a sample was accepted and its result has not reached the output register
        complete = self.complete  # the result vector holds the whole sample
        # copy == complete & ~o.valid at all times (not `| o.ready`: no combinational path from o.ready to
        # i.ready), kept in a flip-flop of its own (its next value is computed below from the next values of
        # complete and o.valid): it enables the load of the whole output vector and, through i.ready, of the
        # history's input vector, so those wide enables start at a register, not behind other logic.
        copy = Signal()
        m.d.comb += [
            self.i.ready.eq((~pending | copy) & history.ready),
            history.push.valid.eq(self.i.valid & self.i.ready),
            history.push.payload.eq(self.i.payload),
        ]
        accept = history.push.valid

        step = Signal(range(steps))
        c = Signal(range(cin))
        k = Signal(range(K))
        g = Signal(range(groups))
        with m.If(accept):
            m.d.sync += [running.eq(1), pending.eq(1), step.eq(0), c.eq(0), k.eq(0), g.eq(0)]
        with m.Elif(copy):
            m.d.sync += pending.eq(0)
        with m.If(running):
            m.d.sync += [step.eq(step + 1), c.eq(c + 1)]
            with m.If(c == cin - 1):
                m.d.sync += [c.eq(0), k.eq(k + 1)]
                with m.If(k == K - 1):
                    m.d.sync += [k.eq(0), g.eq(g + 1)]
                    with m.If(g == groups - 1):
                        # step back to 0 so the ROM address never leaves the ROM (no X in simulations)
                        m.d.sync += [running.eq(0), step.eq(0)]

        # Kernel tap k (weight order) looks K-1-k dilation steps back.
        m.d.comb += [history.tap.eq(K - 1 - k), history.channel.eq(c)]

        # -- control pipeline: stage s holds the flags of the step issued s cycles ago ----------------
        def delayed(value, stages, name):
            regs = [value]
            for s in range(1, stages + 1):
                reg = Signal(value.shape(), name=f"{name}_{s}")
                m.d.sync += reg.eq(regs[-1])
                regs.append(reg)
            return regs

        L = HISTORY_READ_LATENCY  # stage of the multiplier inputs
        valid = delayed(running, L + 3, "valid")
        first = delayed((k == 0) & (c == 0), L + 1, "first")
        last = delayed((k == K - 1) & (c == cin - 1), L + 2, "last")
        last_group = delayed(g == groups - 1, L + 3, "last_group")
        group = delayed(g, L - 1, "group")  # the bias read is issued at stage L-1

        # -- lanes --------------------------------------------------------------------------------------
        x = history.data  # registered: multiplier input A at stage L
        results = []
        df = cfg.data_format.frac_bits
        rounding = rounding_constant(cfg)
        bias_base = self.plan.mac_cycles  # the biases follow the weights (rtl/coefficients.py)
        for lane in range(lanes):
            rom = memory.Memory(shape=weight_shape(cfg), depth=self.plan.coefficient_depth,
                                init=self._rom_init(lane), attrs=COEFFICIENT_MEMORY_ATTRS)
            m.submodules[f"coefficients{lane}"] = rom
            weight_read = rom.read_port(domain="sync")
            bias_read = rom.read_port(domain="sync")
            m.d.comb += [weight_read.addr.eq(step), bias_read.addr.eq(bias_base + group[L - 1])]

            # Weight data (stage 1) is delayed to the multiplier input stage L like the history read.
            weight = weight_read.data
            for stage in range(2, L + 1):
                delayed_weight = Signal(weight_shape(cfg), name=f"w{lane}_{stage}", reset_less=True)
                m.d.sync += delayed_weight.eq(weight)
                weight = delayed_weight
            w = weight                                                # multiplier input B, stage L
            # data registers, read only under the valid flags: no reset (the reset net stays small)
            bias = Signal(acc_shape, name=f"bias{lane}", reset_less=True)                 # stage L+1
            m.submodules[f"multiplier{lane}"] = multiplier = Multiplier(width, cfg.weight_format.width)
            product = multiplier.p                                                         # stage L+1
            acc = Signal(acc_shape, name=f"acc{lane}", reset_less=True)                    # stage L+2
            q = Signal(requantized_shape(cfg, self.index), name=f"q{lane}", reset_less=True)  # stage L+3
            # The aligned bias (b << df) + R (docs/arithmetic.md): R has a single bit, and when it lies
            # below df it only fills the zeros the shift made (wires, no adder).
            raw_bias = bias_read.data                                 # stage L
            if rounding < (1 << df):
                aligned = Cat(Const(rounding, df), raw_bias).as_signed()
            else:
                aligned = (raw_bias << df) + rounding
            m.d.sync += bias.eq(aligned)
            m.d.comb += [multiplier.a.eq(x), multiplier.b.eq(w)]
            # The flags that enable this lane's accumulator and requantizer, as registers of the lane's own
            # (``*_replica``, kept apart by the synthesis script: ``boards/toolchain/runner.py``): one shared
            # flag driving every lane's accumulator multiplexer across the die was the slowest path of the
            # ECPIX-5's largest network.
            acc_valid = Signal(name=f"lane{lane}_valid_replica")           # = valid[L + 1]
            acc_first = Signal(name=f"lane{lane}_first_replica")           # = first[L + 1]
            q_load = Signal(name=f"lane{lane}_last_replica")               # = valid[L + 2] & last[L + 2]
            m.d.sync += [acc_valid.eq(valid[L]), acc_first.eq(first[L]), q_load.eq(valid[L + 1] & last[L + 1])]
            with m.If(acc_valid):
                m.d.sync += acc.eq(Mux(acc_first, bias, acc) + product)

            # Requantize (docs/arithmetic.md): R is already in the bias, the shift is a wire selection.
            floor_q = acc >> shift
            if cfg.rounding == "half_even" and shift > 0:
                rem = acc[:shift]
                round_up = rem[shift - 1] & (rem[:shift - 1].any() | acc[shift])
            else:
                round_up = Const(0, 1)
            with m.If(q_load):
                m.d.sync += q.eq(floor_q + round_up)

            # Saturate to data_format (never wrap), then ReLU.
            top = q[width - 1:]
            fits = ~top.any() | top.all()
            negative = q[-1]
            saturated = Signal(sample_shape(cfg), name=f"y{lane}")
            if self.relu:
                m.d.comb += saturated.eq(Mux(negative, 0, Mux(fits, q[:width], fmt.max_int)))
            else:
                m.d.comb += saturated.eq(Mux(fits, q[:width], Mux(negative, fmt.min_int, fmt.max_int)))
            results.append(saturated)

        # -- result vector: each finished group shifts in at the top; after G groups group 0 is at 0 ----
        result = Signal(SampleVector(cfg, groups * lanes), reset_less=True)
        group_done = Signal()  # stage L+3: q holds a finished group
        m.d.sync += group_done.eq(valid[L + 2] & last[L + 2])
        with m.If(group_done):
            m.d.sync += result.eq(Cat(result.as_value()[lanes * width:], *results))
            with m.If(last_group[L + 3]):
                m.d.sync += complete.eq(1)
        with m.If(copy):
            m.d.sync += complete.eq(0)

        # -- output register (its payload has no reset: it is only read while o.valid) -------------------
        #: The output register (``o.payload`` is wired to it; the formal mutants reach it here).
        self.output_register = payload = Signal(self.o.payload.shape(), reset_less=True)
        m.d.comb += self.o.payload.eq(payload)
        with m.If(copy):
            m.d.sync += [self.o.valid.eq(1), payload.eq(result.as_value()[:self.out_channels * width])]
        with m.Elif(self.o.ready):
            m.d.sync += self.o.valid.eq(0)

        complete_next = Signal()
        o_valid_next = Signal()
        m.d.comb += [complete_next.eq((complete | (group_done & last_group[L + 3])) & ~copy),
                     o_valid_next.eq(copy | (self.o.valid & ~self.o.ready))]
        m.d.sync += copy.eq(complete_next & ~o_valid_next)
        return m
