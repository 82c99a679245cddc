"""OutputScaler: network output vector + dry core sample -> the 4 calibrated DAC samples.

Jack mapping: output 0 = network output channel 0, output 1 = the dry core wave (the calibrated input
sample the network saw, passed through unscaled: 1 V in, 1 V out), outputs 2 and 3 = network channels 1
and 2 when the network has them, else 0. Scaling is :func:`boards.scaling.output_scale` (one saturating
multiply: network codes beyond the DAC's int16 range clamp to full scale, never wrap).

Like :class:`~boards.input_scaler.InputScaler` it is a three-state sequencer (accept, saturate, offer):
the network output and the dry sample are taken together, so each network output produces exactly one
DAC vector.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from rtl.types import SampleVector

from .input_scaler import CODEC_CHANNELS
from .scaling import MULTIPLIER_WIDTH, output_scale, saturate_shifted

__all__ = ["DRY_JACK", "OutputScaler", "output_sources"]

#: Output jack carrying the dry core wave.
DRY_JACK = 1


def output_sources(config: ModelConfig) -> list[int | str | None]:
    """Per output jack: a network output channel index, ``"dry"``, or None (silence)."""
    if config.n_outputs > CODEC_CHANNELS - 1:
        raise ValueError(f"layers[-1].filters: the eurorack-pmod has {CODEC_CHANNELS} outputs, one of them "
                         f"the dry signal, so at most {CODEC_CHANNELS - 1} network outputs fit; got "
                         f"{config.n_outputs}")
    net = iter(range(config.n_outputs))
    return ["dry" if jack == DRY_JACK else next(net, None) for jack in range(CODEC_CHANNELS)]


class OutputScaler(wiring.Component):
    """``i``: network output codes. ``dry``: the core sample that produced them. ``o``: 4 DAC samples."""

    def __init__(self, config: ModelConfig):
        self._config = config
        self._sources = output_sources(config)
        self._scale = output_scale(config)
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, config.n_outputs))),
            "dry": In(stream.Signature(signed(16))),
            "o": Out(stream.Signature(data.ArrayLayout(signed(16), CODEC_CHANNELS))),
        })

    def elaborate(self, platform):
        m = Module()
        k = self._scale
        width = self._config.data_format.width + MULTIPLIER_WIDTH + 1
        products = [Signal(signed(width), name=f"product{jack}") for jack in range(CODEC_CHANNELS)]
        dry = Signal(signed(16))

        with m.FSM():
            with m.State("ACCEPT"):
                m.d.comb += [self.i.ready.eq(self.dry.valid), self.dry.ready.eq(self.i.valid)]
                with m.If(self.i.valid & self.dry.valid):
                    for product, source in zip(products, self._sources, strict=True):
                        if isinstance(source, int):
                            m.d.sync += product.eq(self.i.payload[source] * k.multiplier + k.rounding)
                        else:
                            m.d.sync += product.eq(0)
                    m.d.sync += dry.eq(self.dry.payload)
                    m.next = "SATURATE"
            with m.State("SATURATE"):
                for jack, (product, source) in enumerate(zip(products, self._sources, strict=True)):
                    if source == "dry":
                        m.d.sync += self.o.payload[jack].eq(dry)
                        continue
                    saturate_shifted(m, self.o.payload[jack], product, k)
                m.next = "OFFER"
            with m.State("OFFER"):
                m.d.comb += self.o.valid.eq(1)
                with m.If(self.o.ready):
                    m.next = "ACCEPT"
        return m
