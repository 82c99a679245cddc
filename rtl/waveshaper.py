"""``Waveshaper``: the whole signal path in hardware, the front end feeding the network.

    jack codes --i--> FrontEnd --> Network --o--> output codes

``i`` carries the jack roles the network uses (``common.roles.jack_roles``: the core, and ``e0``/``e1``
when used), ``o`` the network's outputs. The plan's ``signal_path_latency`` and ``signal_path_cycles``
count the front end's stages with the layers'. After reset ``i.ready`` stays low for ``plan.reset_cycles``
while the layers' caches clear, exactly as the network alone would hold it, so every sample, the first
included, sees the same pipeline and latency. The golden form of this component is
``quantize.golden.run_waveshaper``. With ``debug=True`` the network's per-layer observation ports are
passed out as ``layer{i}``; ``template=seed`` builds the coefficient memories with random words instead of
the weights (:class:`~rtl.network.Network`).
"""

from __future__ import annotations

from amaranth.hdl import Module, ResetSignal
from amaranth.lib import wiring

from common.roles import jack_roles
from quantize.weights import QuantizedNetwork

from .front_end import FrontEnd
from .network import Network, add_with_local_reset, hold_after_reset, network_members
from .plan import Plan

__all__ = ["Waveshaper"]


class Waveshaper(wiring.Component):
    """The front end and the network: jack codes in, the network's outputs out (what ``network.v`` is).

    Parameters
    ----------
    net, plan, debug, template
        As for :class:`~rtl.network.Network`.

    Ports
    -----
    i : In(stream.Signature(SampleVector(config, len(jack_roles(config.inputs)))))
        The jack codes, held off for ``plan.reset_cycles`` after reset.
    o : Out(stream.Signature(SampleVector(config, config.n_outputs)))
        The network's outputs.
    layer{i} : Out(debug_signature(config, filters))
        With ``debug``: each layer's outputs, from the network."""

    def __init__(self, net: QuantizedNetwork, plan: Plan, *, debug: bool = False, template: int | None = None):
        cfg = net.config
        self.config = cfg
        self.plan = plan
        self.debug = debug
        self.front_end = FrontEnd(cfg)
        self.network = Network(net, plan, debug=debug, template=template)
        super().__init__(network_members(cfg, len(jack_roles(cfg.inputs)), debug=debug))

    def elaborate(self, platform):
        m = Module()
        # The front end in a domain of its own on the same clock, its reset passed through a register:
        # a short reset net from beside it instead of the network domain's reset (as the layers do,
        # rtl/network.py).
        front_end = self.front_end
        add_with_local_reset(m, "front_end", front_end, ResetSignal())
        m.submodules.network = network = self.network
        # the plan's reset_cycles is at least 1 (each layer leaves reset a cycle late), which also covers
        # the front end's own reset register
        hold_after_reset(m, self.plan.reset_cycles, self.i, front_end.i)
        wiring.connect(m, front_end.o, network.i)
        wiring.connect(m, network.o, wiring.flipped(self.o))
        if self.debug:
            for i in range(len(self.config.layers)):
                wiring.connect(m, getattr(network, f"layer{i}"), wiring.flipped(getattr(self, f"layer{i}")))
        return m
