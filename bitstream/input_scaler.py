"""InputScaler: calibrated codec samples -> the jack-role vector the network's front end takes (one
saturating multiply per channel).

Which jack feeds each jack role (``common.roles.jack_roles(config.inputs)``) is :mod:`.jacks`' table:
``core`` = input jack 0, ``e0``/``e1`` = jacks 1/2 (the embedding CVs). Scaling is
:func:`.scaling.input_scale`.

Samples arrive once per audio frame (hundreds of ``sync`` cycles apart), so the block is a small
three-state sequencer rather than a pipeline: accept one vector and register the products (a DSP
multiply, then the rounding add), register the clamped results, then present them until taken. The
product register splits multiply and saturation into separate cycles so the block never limits Fmax.
Besides the scaled vector it passes the unscaled core sample along (``dry``, valid with ``o``) for the
dry output.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from boards.eurorack_pmod.samples import sample, sample_vector
from common.config import ModelConfig
from common.devices import MULTIPLIER_WIDTH
from rtl.types import SampleVector

from .jacks import input_jacks
from .scaling import input_scale, saturate_shifted

__all__ = ["InputScaler"]


class InputScaler(wiring.Component):
    """Codec counts -> network codes, one saturating constant multiply per jack role (module docstring).

    Parameters
    ----------
    config : ModelConfig
        The input roles and the data format.

    Ports
    -----
    i : In(stream.Signature(sample_vector))
        4 calibrated codec samples (int16, 4000 counts/V).
    o : Out(stream.Signature(SampleVector(config, len(input_jacks(config)))))
        One ``data_format`` code per jack role.
    dry : Out(sample)
        The core jack's sample, unscaled, valid together with ``o``."""

    def __init__(self, config: ModelConfig):
        self._config = config
        self._jacks = input_jacks(config)
        self._scale = input_scale(config)
        super().__init__({
            "i": In(stream.Signature(sample_vector)),
            "o": Out(stream.Signature(SampleVector(config, len(self._jacks)))),
            "dry": Out(sample),
        })

    def elaborate(self, platform):
        m = Module()
        k = self._scale
        products = [Signal(signed(sample.width + MULTIPLIER_WIDTH + 1), name=f"product{n}")
                    for n in range(len(self._jacks))]

        with m.FSM():
            with m.State("ACCEPT"):
                m.d.comb += self.i.ready.eq(1)
                with m.If(self.i.valid):
                    for product, jack in zip(products, self._jacks, strict=True):
                        m.d.sync += product.eq(self.i.payload[jack] * k.multiplier + k.rounding)
                    m.d.sync += self.dry.eq(self.i.payload[0])
                    m.next = "SATURATE"
            with m.State("SATURATE"):
                for n, product in enumerate(products):
                    saturate_shifted(m, self.o.payload[n], product, k)
                m.next = "OFFER"
            with m.State("OFFER"):
                m.d.comb += self.o.valid.eq(1)
                with m.If(self.o.ready):
                    m.next = "ACCEPT"
        return m
