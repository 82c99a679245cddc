"""A hand-made stand-in for ``rtl.generate``'s network: same ports, trivially known behaviour.

It lets the harness, the runner and the comparison be tested without the real generator: a 1-layer
"network" that passes its input vector through after ``busy_cycles`` cycles, with the debug port of its
one layer. Its golden twin is a K=1 convolution with identity weights (code 1.0 on the diagonal, zero
bias), which ``half_up`` requantization returns unchanged.
"""

from __future__ import annotations

import numpy as np
from amaranth import Module, Signal
from amaranth.back import verilog
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import LayerConfig, ModelConfig
from common.roles import INPUT_ROLES
from quantize.weights import QuantizedLayer, QuantizedNetwork


class PassThrough(wiring.Component):
    """Accepts a vector when idle, holds ``i.ready`` low for ``busy_cycles - 1`` cycles, then presents it.

    ``corrupt`` adds 1 to channel ``corrupt_channel`` of every output from sample ``corrupt_from`` on, to
    prove that comparisons catch a wrong result.
    """

    def __init__(self, channels: int, busy_cycles: int = 3, *, corrupt_from: int | None = None,
                 corrupt_channel: int = 0):
        self.channels = channels
        self.busy_cycles = busy_cycles
        self.corrupt_from = corrupt_from
        self.corrupt_channel = corrupt_channel
        vector = data.ArrayLayout(16, channels)
        super().__init__({
            "i": In(stream.Signature(vector)),
            "o": Out(stream.Signature(vector)),
            "layer0__valid": Out(1),
            "layer0__payload": Out(vector),
        })

    def elaborate(self, platform):
        m = Module()
        held = Signal(data.ArrayLayout(16, self.channels))
        count = Signal(range(self.busy_cycles + 1))
        samples = Signal(32)
        busy = Signal()
        result = Signal.like(held)
        m.d.comb += result.eq(held)
        if self.corrupt_from is not None:
            with m.If(samples > self.corrupt_from):
                m.d.comb += result[self.corrupt_channel].eq(held[self.corrupt_channel] + 1)
        m.d.comb += [self.i.ready.eq(~busy), self.o.payload.eq(result), self.layer0__payload.eq(result)]
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [held.eq(self.i.payload), busy.eq(1), count.eq(1), samples.eq(samples + 1)]
        with m.Elif(busy & ~self.o.valid):
            m.d.sync += count.eq(count + 1)
            with m.If(count == self.busy_cycles - 1):
                m.d.sync += self.o.valid.eq(1)
        with m.If(self.o.valid & self.o.ready):
            m.d.sync += [self.o.valid.eq(0), busy.eq(0)]
        m.d.comb += self.layer0__valid.eq(self.o.valid)
        return m


def standin_verilog(channels: int, busy_cycles: int = 3, **kwargs) -> str:
    return verilog.convert(PassThrough(channels, busy_cycles, **kwargs), name="network")


def identity_network(channels: int = 4) -> QuantizedNetwork:
    """The golden model's twin of :class:`PassThrough`: one K=1 layer with identity weights, one channel
    per input role (``channels`` at most ``len(INPUT_ROLES)``)."""
    if not 1 <= channels <= len(INPUT_ROLES):
        raise ValueError(f"channels must be 1..{len(INPUT_ROLES)} (one per input role), got {channels}")
    inputs = tuple(INPUT_ROLES)[:channels]
    config = ModelConfig(layers=(LayerConfig(filters=channels, kernel_size=1, dilation=1),), inputs=inputs)
    weights = np.eye(channels, dtype=np.int64)[None] * config.weight_format.scale
    return QuantizedNetwork(config, (QuantizedLayer(weights, np.zeros(channels, dtype=np.int64)),))


__all__ = ["PassThrough", "identity_network", "standin_verilog"]
