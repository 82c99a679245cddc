"""Channel selection: keep only the codec inputs that are recorded."""

from __future__ import annotations

from amaranth import Module
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import CHANNELS, sample_array

__all__ = ["ChannelSelect"]


class ChannelSelect(wiring.Component):
    """Passes the codec's 4-input sample vectors on with only ``channels`` (indices 0..3, in that order).

    Pure wiring, no registers: the link budget is spent only on channels that carry a patched signal.

    Ports
    -----
    i : In(stream.Signature(sample_array(inputs)))
        The codec's input vectors.
    o : Out(stream.Signature(sample_array(len(channels))))
        The chosen channels, in the order given.
    """

    def __init__(self, channels, *, inputs: int = CHANNELS):
        self.channels = tuple(int(c) for c in channels)
        if not self.channels or len(set(self.channels)) != len(self.channels) or \
                not all(0 <= c < inputs for c in self.channels):
            raise ValueError(f"channels must be distinct indices in 0..{inputs - 1}, got {channels}")
        super().__init__({"i": In(stream.Signature(sample_array(inputs))),
                          "o": Out(stream.Signature(sample_array(len(self.channels))))})

    def elaborate(self, platform):
        m = Module()
        m.d.comb += [self.o.valid.eq(self.i.valid), self.i.ready.eq(self.o.ready)]
        for out_index, in_index in enumerate(self.channels):
            m.d.comb += self.o.payload[out_index].eq(self.i.payload[in_index])
        return m
