"""InputScaler: calibrated codec samples -> network input vector (one saturating multiply per channel).

Jack roles (``config.inputs``): ``core`` = input jack 0 (the core wave), ``e0``/``e1`` = jacks 1/2 (the
embedding CVs; 0..5 V maps to 0..1, and an unplugged jack reads 0 = the (0,0) corner, a trained point),
``e2`` = jack 3, ``zero`` = a spare channel held at 0. Scaling is :func:`boards.scaling.input_scale`.

Samples arrive once per audio frame (hundreds of ``sync`` cycles apart), so the block is a small
three-state sequencer rather than a pipeline: accept one vector and register the products (a DSP
multiply, then the rounding add), register the clamped results, then present them until taken. The
product register splits multiply and saturation into separate cycles so the block never limits Fmax.
Besides the scaled vector it passes the unscaled core sample along (``dry``, valid with ``o``) for the
dry output.
"""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from common.config import ModelConfig
from rtl.types import SampleVector

from .scaling import MULTIPLIER_WIDTH, input_scale, saturate_shifted

__all__ = ["CODEC_CHANNELS", "JACK_OF_ROLE", "InputScaler", "input_jacks"]

#: The eurorack-pmod has 4 inputs and 4 outputs.
CODEC_CHANNELS = 4
#: Which input jack feeds each network input role; ``zero`` is held at 0.
JACK_OF_ROLE = {"core": 0, "e0": 1, "e1": 2, "e2": 3, "zero": None}


def input_jacks(config: ModelConfig) -> list[int | None]:
    """Input jack per network input channel (None: constant 0); rejects roles with no jack."""
    unknown = [role for role in config.inputs if role not in JACK_OF_ROLE]
    if unknown:
        raise ValueError(f"inputs: role {unknown[0]!r} has no jack on the eurorack-pmod; known roles are "
                         f"{sorted(JACK_OF_ROLE)}")
    return [JACK_OF_ROLE[role] for role in config.inputs]


class InputScaler(wiring.Component):
    """``i``: 4 calibrated codec samples (int16, 4000 counts/V). ``o``: ``config.n_inputs`` network codes.
    ``dry``: the core jack's sample, unscaled, valid together with ``o``."""

    def __init__(self, config: ModelConfig):
        self._config = config
        self._jacks = input_jacks(config)
        self._scale = input_scale(config)
        super().__init__({
            "i": In(stream.Signature(data.ArrayLayout(signed(16), CODEC_CHANNELS))),
            "o": Out(stream.Signature(SampleVector(config, config.n_inputs))),
            "dry": Out(signed(16)),
        })

    def elaborate(self, platform):
        m = Module()
        k = self._scale
        products = [Signal(signed(16 + MULTIPLIER_WIDTH + 1), name=f"product{n}") for n in range(len(self._jacks))]

        with m.FSM():
            with m.State("ACCEPT"):
                m.d.comb += self.i.ready.eq(1)
                with m.If(self.i.valid):
                    for product, jack in zip(products, self._jacks, strict=True):
                        value = 0 if jack is None else self.i.payload[jack] * k.multiplier + k.rounding
                        m.d.sync += product.eq(value)
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
