"""OutputScaler: network output vector + dry core sample -> the 4 calibrated DAC samples.

Jack mapping (:func:`.jacks.output_sources`): output 0 = network output channel 0, output 1 = the dry
core wave (1 V in, 1 V out), outputs 2 and 3 = network channels 1 and 2 when the network has them, else 0.
Scaling is :func:`.scaling.output_scale` (one saturating multiply: network codes beyond the DAC's int16
range clamp to full scale, never wrap).

Like :class:`.input_scaler.InputScaler` it is a three-state sequencer (accept, saturate, offer):
the network output and the dry sample are taken together, so each network output produces exactly one
DAC vector.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import CHANNELS, sample, sample_vector
from common.config import ModelConfig
from common.devices import MULTIPLIER_WIDTH
from rtl.types import SampleVector

from .jacks import output_sources
from .scaling import output_scale, saturate_shifted

__all__ = ["OutputScaler"]


class OutputScaler(wiring.Component):
    """Network codes -> codec counts on the output jacks (module docstring), the dry core beside them.

    Parameters
    ----------
    config : ModelConfig
        The outputs and the data format.

    Ports
    -----
    i : In(stream.Signature(SampleVector(config, config.n_outputs)))
        The network's output codes.
    dry : In(stream.Signature(sample))
        The core samples that produced them, one per ``i`` vector (the audio path's dry FIFO).
    o : Out(stream.Signature(sample_vector))
        4 DAC samples (``jacks.output_sources``)."""

    def __init__(self, config: ModelConfig):
        self._config = config
        self._sources = output_sources(config)
        self._scale = output_scale(config)
        super().__init__({
            "i": In(stream.Signature(SampleVector(config, config.n_outputs))),
            "dry": In(stream.Signature(sample)),
            "o": Out(stream.Signature(sample_vector)),
        })

    def elaborate(self, platform):
        m = Module()
        k = self._scale
        width = self._config.data_format.width + MULTIPLIER_WIDTH + 1
        products = [Signal(signed(width), name=f"product{jack}") for jack in range(CHANNELS)]
        dry = Signal(sample)

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
