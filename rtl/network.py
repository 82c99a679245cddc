"""``Network``: the layers of a :class:`~quantize.weights.QuantizedNetwork` as a chain of stream engines.

Each :class:`~rtl.conv_layer.ConvLayer` has its own history, ROMs and multipliers and is connected to the
next by a stream, so the layers pipeline across samples: one output vector per input vector, in order,
with backpressure honoured end to end (a stalled output stalls the layers behind it, never drops data).

With ``debug=True`` each layer ``i`` also drives an observation port ``layer{i}``: ``valid`` is 1 on the
cycle layer ``i``'s output vector is transferred to the next stage (or out of the network), ``payload``
is that vector; simulations use it to name the first diverging layer and channel.

After reset, ``i.ready`` stays low for ``plan.reset_cycles`` cycles while the caches clear their RAM. Each
layer runs in a clock domain of its own on the same clock, whose reset is the network's passed through
``index + LAYER_RESET_DELAY`` flip-flops: each layer's reset is a short net from a register beside it,
not one net from the network's reset to the flip-flops of every layer (on a 25F at 108 MHz that one net
took more than 10 ns to route).

With ``template=seed`` the coefficient memories are built with the random words of
:func:`rtl.coefficients.template_images` instead of the network's weights: the same hardware (the contents
of a memory change no logic), whose routed block RAMs can then take any weights of this shape.
"""

from __future__ import annotations

from amaranth.hdl import ClockDomain, ClockSignal, DomainRenamer, Module, ResetSignal, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from quantize.weights import QuantizedNetwork

from .coefficients import template_images
from .conv_layer import ConvLayer
from .plan import Plan
from .timing import LAYER_RESET_DELAY
from .types import SampleVector

__all__ = ["Network", "add_with_local_reset", "check_reset_hold", "debug_signature", "hold_after_reset",
           "network_members"]


def network_members(cfg, inputs: int, *, debug: bool) -> dict:
    """The ports of a network component: ``i`` (``inputs`` codes), ``o`` (the outputs) and, with ``debug``,
    each layer's observation port ``layer{i}``."""
    members = {
        "i": In(stream.Signature(SampleVector(cfg, inputs))),
        "o": Out(stream.Signature(SampleVector(cfg, cfg.n_outputs))),
    }
    if debug:
        for i, lc in enumerate(cfg.layers):
            members[f"layer{i}"] = Out(debug_signature(cfg, lc.filters))
    return members


def add_with_local_reset(m: Module, name: str, component, reset, *, stages: int = 1):
    """Add ``component`` as submodule ``name`` in a local domain of that name on the ``sync`` clock, whose
    reset is ``reset`` passed through ``stages`` flip-flops: a short reset net from a register beside the
    component instead of one net to every flip-flop of the design. Returns the delayed reset."""
    for stage in range(stages):
        delayed = Signal(init=1, reset_less=True, name=f"{name}_reset_{stage}")
        m.d.sync += delayed.eq(reset)
        reset = delayed
    m.domains += ClockDomain(name, local=True)
    m.d.comb += [ClockSignal(name).eq(ClockSignal()), ResetSignal(name).eq(reset)]
    m.submodules[name] = DomainRenamer({"sync": name})(component)
    return reset


def check_reset_hold(cycles) -> None:
    """Raise ``ValueError`` unless ``cycles`` is a whole number >= 1: the hold counter counts up to
    ``cycles - 1``, so a hold of 0 cycles would never end (``ready`` would never rise), and every layer
    leaves reset at least a cycle after the network anyway (``LAYER_RESET_DELAY``)."""
    if not isinstance(cycles, int) or isinstance(cycles, bool) or cycles < 1:
        raise ValueError(f"plan.reset_cycles: the input must be held at least 1 cycle after reset (each layer "
                         f"leaves reset at least {LAYER_RESET_DELAY} cycle(s) late), got {cycles!r}")


def hold_after_reset(m: Module, cycles: int, upstream, downstream) -> None:
    """Pass the stream ``upstream`` (a component's own input port) on to ``downstream``, with ``ready`` held
    low for ``cycles`` cycles after reset while the caches clear, so the first sample sees the same empty
    pipeline (and latency) as every later one. ``cycles`` must be at least 1 (:func:`check_reset_hold`)."""
    check_reset_hold(cycles)
    warming = Signal(init=1)
    count = Signal(range(cycles + 1))
    with m.If(warming):
        m.d.sync += count.eq(count + 1)
        with m.If(count == cycles - 1):
            m.d.sync += warming.eq(0)
    m.d.comb += [downstream.valid.eq(upstream.valid & ~warming), downstream.payload.eq(upstream.payload),
                 upstream.ready.eq(downstream.ready & ~warming)]


def debug_signature(config, channels: int) -> wiring.Signature:
    """Observation port of one layer: ``valid`` on the transfer cycle and the transferred ``payload``."""
    return wiring.Signature({"valid": Out(1), "payload": Out(SampleVector(config, channels))})


class Network(wiring.Component):
    """The layers of ``net`` (:class:`~rtl.conv_layer.ConvLayer` each, with its history), connected by
    streams, each in a local reset domain; the input is held until every cache has cleared after reset.

    Parameters
    ----------
    net : QuantizedNetwork
        The weights and the config.
    plan : Plan
        The lanes per layer and the reset timing (``rtl/plan.py``).
    debug : bool
        Add each layer's observation port.
    template : int or None
        Build the coefficient memories with the random words of this template seed instead of the weights.

    Ports
    -----
    i : In(stream.Signature(SampleVector(config, config.n_inputs)))
        The network's input vector (the front end's output).
    o : Out(stream.Signature(SampleVector(config, config.n_outputs)))
        The last layer's outputs.
    layer{i} : Out(debug_signature(config, filters))
        With ``debug``: every vector layer ``i`` produces."""

    def __init__(self, net: QuantizedNetwork, plan: Plan, *, debug: bool = False, template: int | None = None):
        cfg = net.config
        check_reset_hold(plan.reset_cycles)
        plan.check_config(cfg)
        self.net = net
        self.plan = plan
        self.debug = debug
        #: ``[layer][lane]`` memory images of a template build, or None (the network's weights).
        self.images = None if template is None else template_images(cfg, plan, template)
        super().__init__(network_members(cfg, cfg.n_inputs, debug=debug))

    def elaborate(self, platform):
        m = Module()
        cfg = self.net.config
        layers = []
        reset = ResetSignal()
        for i, (layer, lp) in enumerate(zip(self.net.layers, self.plan.layers, strict=True)):
            engine = ConvLayer(cfg, i, layer, lp, images=None if self.images is None else self.images[i])
            reset = add_with_local_reset(m, f"layer{i}", engine, reset,
                                         stages=LAYER_RESET_DELAY if i == 0 else 1)
            layers.append(engine)
        # After reset the block-RAM caches clear themselves; hold the input until all of them are done so
        # the first sample sees the same empty pipeline (and latency) as every later one.
        hold_after_reset(m, self.plan.reset_cycles, self.i, layers[0].i)
        for upstream, downstream in zip(layers, layers[1:], strict=False):
            wiring.connect(m, upstream.o, downstream.i)
        wiring.connect(m, layers[-1].o, wiring.flipped(self.o))
        if self.debug:
            for i, engine in enumerate(layers):
                port = getattr(self, f"layer{i}")
                m.d.comb += [port.valid.eq(engine.o.valid & engine.o.ready),
                             port.payload.eq(engine.o.payload)]
        return m
