"""``ConvLayer``: one causal dilated Conv1D as an independent engine between two streams.

``K`` taps x ``Cin`` inputs x ``Cout`` outputs multiply-accumulates are time-shared over ``P = plan.lanes``
multipliers: outputs are computed in ``G = ceil(Cout / P)`` groups (lane ``p`` of group ``g`` computes
output channel ``g * P + p``); a group is ``K * Cin`` steps, one per cycle. Each step reads one value
(tap ``k``, channel ``c``) from the input history and broadcasts it to the ``P`` lanes (``rtl/lane.py``,
one :class:`~rtl.lane.Lane` each); every lane has its own coefficient memory (its weights in step order,
then its biases: ``rtl/coefficients.py``), a block RAM whose initial contents are the weights, read at the
step number by one port and at the group's bias by the other. Weights and biases live nowhere else, so new
weights can be patched into a routed design.

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

Each lane (``rtl/lane.py``) does the rows from the weight read to the saturated ``q``; the layer's
:meth:`~ConvLayer.elaborate` builds the rest in named steps: the history, the handshake, the sequencer (the
step counters), the control pipeline (each step's flags, delayed to the stages that use them), the lanes,
the result vector and the output register.

When the last group is in, the result moves to the output register (``o.valid``) as soon as that is
empty, and on the same cycle the next input may be accepted. ``i.ready`` depends on registers only
(never combinationally on ``o.ready``), so a chain of layers has no long ready path; the result register
plus the output register form a double buffer, so the cycle this costs under backpressure is hidden.
The timing is the one ``rtl/plan.py`` declares (``LAYER_OVERHEAD_CYCLES``, ``LAYER_LATENCY_OVERHEAD``)
and the tests measure.
"""

from __future__ import annotations

from typing import NamedTuple

from amaranth.hdl import Cat, Module, Signal, Value
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from quantize.weights import QuantizedLayer

from .activation_cache import ActivationCache
from .coefficients import coefficient_image
from .lane import Lane
from .plan import HISTORY_READ_LATENCY, LayerPlan
from .shift_buffer import ShiftBuffer
from .types import SampleVector

__all__ = ["ConvLayer"]

#: Stage of the multiplier inputs: the history read's latency (module docstring, ``L``).
L = HISTORY_READ_LATENCY


class Handshake(NamedTuple):
    """The layer's handshake state (:meth:`ConvLayer._handshake`)."""

    #: 1 in the cycle a sample is accepted (and pushed into the history).
    accept: Value
    #: 1 while MAC steps are issued, i.e. while the history is read.
    running: Signal
    #: 1 from a sample's acceptance until its result moves to the output register.
    pending: Signal
    #: 1 while the result vector holds a whole sample.
    complete: Signal
    #: 1 in the cycle the result vector moves to the output register (= ``complete & ~o.valid``).
    copy: Signal


class Counters(NamedTuple):
    """The step being issued (:meth:`ConvLayer._sequencer`): its number, input channel, tap and group."""

    step: Signal
    channel: Signal
    tap: Signal
    group: Signal


class Control(NamedTuple):
    """The control pipeline (:meth:`ConvLayer._control_pipeline`): each list's item ``s`` holds the flag of
    the step issued ``s`` cycles ago."""

    valid: list
    first: list
    last: list
    last_group: list
    group: list


class ConvLayer(wiring.Component):
    """One causal dilated Conv1D between two streams (module docstring: the pipeline and its timing).

    Parameters
    ----------
    config : ModelConfig
        The layers, the formats and the rounding mode.
    index : int
        Which layer of ``config``.
    layer : QuantizedLayer
        Its weights and biases, the contents of the lanes' coefficient memories.
    plan : LayerPlan
        Its lanes, groups and history kind (``rtl/plan.py``).
    images : list of list of int, optional
        Per lane, the memory contents to build with instead of ``layer``'s (a template of random words,
        ``rtl.coefficients.template_images``); the hardware is the same either way.

    Ports
    -----
    i : In(stream.Signature(SampleVector(config, config.in_channels(index))))
        The input vector; ``ready`` depends on registers only.
    o : Out(stream.Signature(SampleVector(config, filters)))
        The output vector, from the output register."""

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
        if plan.lanes < 1 or plan.groups != -(-self.out_channels // plan.lanes):
            raise ValueError(f"layer {index}: plan has {plan.lanes} lanes x {plan.groups} groups for "
                             f"{self.out_channels} outputs")
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, self.in_channels))),
            "o": Out(stream.Signature(SampleVector(config, self.out_channels))),
        })

    def _rom_init(self, lane: int) -> list[int]:
        """The initial contents of ``lane``'s coefficient memory (``rtl.coefficients``)."""
        if self.images is not None:
            return list(self.images[lane])
        return coefficient_image(self.config, self.layer, self.plan, lane)

    def elaborate(self, platform):
        m = Module()
        history = self._history(m)
        handshake = self._handshake(m, history)
        counters = self._sequencer(m, history, handshake)
        control = self._control_pipeline(m, handshake.running, counters)
        results = self._lanes(m, history, counters, control)
        result, finished = self._result_vector(m, handshake, control, results)
        self._output_register(m, handshake, result, finished)
        return m

    def _history_class(self):
        """Layer 0's history is registers (``ShiftBuffer``), the others' a block-RAM ring (``ActivationCache``):
        the same ports, the same read latency."""
        return ShiftBuffer if self.plan.cache_kind == "registers" else ActivationCache

    def _history(self, m):
        """The input history, submodule ``history``."""
        m.submodules.history = history = self._history_class()(self.config, self.in_channels, self.kernel_size,
                                                                self.dilation)
        return history

    def _handshake(self, m, history) -> Handshake:
        """``i.ready`` and the push into the history; ``pending`` from acceptance until the copy to the output
        register. ``running`` and ``complete`` are driven by the sequencer and the result vector, ``copy`` by
        the output register."""
        running = Signal()
        pending = Signal()
        complete = Signal()
        # copy == complete & ~o.valid at all times (not `| o.ready`: no combinational path from o.ready to
        # i.ready), kept in a flip-flop of its own (its next value is computed from the next values of complete
        # and o.valid, :meth:`_output_register`): it enables the load of the whole output vector and, through
        # i.ready, of the history's input vector, so those wide enables start at a register, not behind logic.
        copy = Signal()
        m.d.comb += [
            self.i.ready.eq((~pending | copy) & history.ready),
            history.push.valid.eq(self.i.valid & self.i.ready),
            history.push.payload.eq(self.i.payload),
        ]
        accept = history.push.valid
        with m.If(accept):
            m.d.sync += [running.eq(1), pending.eq(1)]
        with m.Elif(copy):
            m.d.sync += pending.eq(0)
        return Handshake(accept, running, pending, complete, copy)

    def _sequencer(self, m, history, handshake: Handshake) -> Counters:
        """From an accepted sample on, one MAC step per cycle: channel, then tap, then group; the history is
        read at the step's tap (kernel tap ``k`` looks ``K - 1 - k`` dilation steps back) and channel."""
        K, cin, groups = self.kernel_size, self.in_channels, self.plan.groups
        running = handshake.running
        step = Signal(range(self.plan.mac_cycles))
        c = Signal(range(cin))
        k = Signal(range(K))
        g = Signal(range(groups))
        with m.If(handshake.accept):
            m.d.sync += [step.eq(0), c.eq(0), k.eq(0), g.eq(0)]
        with m.If(running):
            m.d.sync += [step.eq(step + 1), c.eq(c + 1)]
            with m.If(c == cin - 1):
                m.d.sync += [c.eq(0), k.eq(k + 1)]
                with m.If(k == K - 1):
                    m.d.sync += [k.eq(0), g.eq(g + 1)]
                    with m.If(g == groups - 1):
                        # step back to 0 so the ROM address never leaves the ROM (no X in simulations)
                        m.d.sync += [running.eq(0), step.eq(0)]
        m.d.comb += [history.tap.eq(K - 1 - k), history.channel.eq(c)]
        return Counters(step, c, k, g)

    def _control_pipeline(self, m, running, counters: Counters) -> Control:
        """The flags of each step, delayed stage by stage to where the lanes and the result vector use them."""
        def delayed(value, stages, name):
            regs = [value]
            for s in range(1, stages + 1):
                reg = Signal(value.shape(), name=f"{name}_{s}")
                m.d.sync += reg.eq(regs[-1])
                regs.append(reg)
            return regs

        K, cin, groups = self.kernel_size, self.in_channels, self.plan.groups
        _, c, k, g = counters
        return Control(
            valid=delayed(running, L + 3, "valid"),
            first=delayed((k == 0) & (c == 0), L + 1, "first"),
            last=delayed((k == K - 1) & (c == cin - 1), L + 2, "last"),
            last_group=delayed(g == groups - 1, L + 3, "last_group"),
            group=delayed(g, L - 1, "group"),  # the bias read is issued at stage L-1
        )

    def _lanes(self, m, history, counters: Counters, control: Control) -> list:
        """The ``P`` lanes (``rtl/lane.py``), submodules ``lane{p}``, each fed the history's sample and the
        flags at the stages it takes them; returns their outputs ``y``."""
        results = []
        for number in range(self.plan.lanes):
            m.submodules[f"lane{number}"] = lane = Lane(self.config, self.plan, number, self._rom_init(number))
            m.d.comb += [
                lane.step.eq(counters.step),
                lane.group.eq(control.group[L - 1]),
                lane.x.eq(history.data),  # registered: multiplier input A at stage L
                lane.valid.eq(control.valid[L]),
                lane.first.eq(control.first[L]),
                lane.last.eq(control.valid[L + 1] & control.last[L + 1]),
            ]
            results.append(lane.y)
        return results

    def _result_vector(self, m, handshake: Handshake, control: Control, results: list):
        """Each finished group shifts in at the top; after ``G`` groups group 0 is at 0, and ``complete`` is
        set. Returns the vector and ``finished``, 1 in the cycle the sample's last group shifts in."""
        lanes, width = self.plan.lanes, self.config.data_format.width
        result = Signal(SampleVector(self.config, self.plan.groups * lanes), reset_less=True)
        group_done = Signal()  # stage L+3: the lanes' q hold a finished group
        m.d.sync += group_done.eq(control.valid[L + 2] & control.last[L + 2])
        with m.If(group_done):
            m.d.sync += result.eq(Cat(result.as_value()[lanes * width:], *results))
            with m.If(control.last_group[L + 3]):
                m.d.sync += handshake.complete.eq(1)
        with m.If(handshake.copy):
            m.d.sync += handshake.complete.eq(0)
        return result, group_done & control.last_group[L + 3]

    def _output_register(self, m, handshake: Handshake, result, finished):
        """The result moves to the output register (``o.payload`` is wired to it) when it is complete and the
        register is empty; ``o.valid`` until taken. Its payload has no reset: it is only read while
        ``o.valid``. Returns the register."""
        copy, complete = handshake.copy, handshake.complete
        payload = Signal(self.o.payload.shape(), reset_less=True)
        m.d.comb += self.o.payload.eq(payload)
        with m.If(copy):
            m.d.sync += [self.o.valid.eq(1),
                         payload.eq(result.as_value()[:self.out_channels * self.config.data_format.width])]
        with m.Elif(self.o.ready):
            m.d.sync += self.o.valid.eq(0)
        complete_next = Signal()
        o_valid_next = Signal()
        m.d.comb += [complete_next.eq((complete | finished) & ~copy),
                     o_valid_next.eq(copy | (self.o.valid & ~self.o.ready))]
        m.d.sync += copy.eq(complete_next & ~o_valid_next)
        return payload
