"""NetworkDomain: the signal path (front end and network) in a clock domain of its own, streams in ``sync``.

    sync:    i --> AsyncFIFO --.                                .--> AsyncFIFO --> o
    network:                   '--> network (DomainRenamer) ---'

The network's throughput is ``multipliers x clock / sample rate`` multiply-accumulates per sample, so it
runs from the PLL's fastest output it can meet timing at (``CLKOS2``, :mod:`boards.clocking.pll`), while
the codec driver's streams and the scaling stay in ``sync``. The two clocks come from the same VCO but are
not treated as related: each direction is an :class:`amaranth.lib.fifo.AsyncFIFO` (Gray-coded pointers,
two-flip-flop synchronisers), whose stream sides are plain ready/valid streams, so no sample is dropped,
repeated or reordered, and the network's back-pressure reaches ``i.ready``. Each crossing adds a few
cycles (:data:`CROSSING_CYCLES`), far less than a sample period.

The network component keeps its own ``sync`` domain inside; it is renamed to ``domain`` here, so the
network's reset is that domain's (released by the board's clock generator once the PLL has locked).
"""

from __future__ import annotations

from amaranth.hdl import DomainRenamer, Module
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import AsyncFIFO
from amaranth.lib.wiring import In, Out

from ..eurorack_pmod.cdc import connect_through

__all__ = ["CROSSING_CYCLES", "NetworkDomain"]

#: Bounds on the cycles (of the receiving domain) from a write into one crossing to the word being
#: readable on the other side: two synchroniser flip-flops, the read pointer update and up to one cycle of
#: phase between the clocks.
CROSSING_CYCLES = (1, 5)


class NetworkDomain(wiring.Component):
    """A component built for ``sync`` run in its own clock domain behind two stream crossings.

    Parameters
    ----------
    network : wiring.Component
        A component with ``i``/``o`` streams (``rtl.waveshaper.Waveshaper``), built for ``sync``.
    domain : str
        The domain it runs in.
    depth : int
        The depth of each crossing's FIFO (a power of 2).

    Ports
    -----
    i : In(stream.Signature(network.i.payload.shape()))
        ``network.i``, in ``sync``.
    o : Out(stream.Signature(network.o.payload.shape()))
        ``network.o``, in ``sync``."""

    def __init__(self, network: wiring.Component, *, domain: str = "network", depth: int = 4):
        if depth < 2 or depth & (depth - 1):
            raise ValueError(f"NetworkDomain depth must be a power of two >= 2, got {depth}")
        self._network = network
        self.domain = domain
        self.depth = depth
        super().__init__({
            "i": In(stream.Signature(network.i.payload.shape())),
            "o": Out(stream.Signature(network.o.payload.shape())),
        })

    def elaborate(self, platform):
        m = Module()
        network = self._network
        m.submodules.network = DomainRenamer({"sync": self.domain})(network)
        m.submodules.to_network = to_network = AsyncFIFO(
            width=self.i.payload.shape().size, depth=self.depth, w_domain="sync", r_domain=self.domain)
        m.submodules.from_network = from_network = AsyncFIFO(
            width=self.o.payload.shape().size, depth=self.depth, w_domain=self.domain, r_domain="sync")
        connect_through(m, to_network, self.i, network.i)
        connect_through(m, from_network, network.o, self.o)
        return m
