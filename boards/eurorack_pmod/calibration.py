"""Per-channel affine calibration of 4-channel sample vectors, with one shared multiplier.

For each channel ``n`` (docs/eurorack-pmod.md §8, the Verilog formula)::

    y[n] = clamp(((x[n] - offset[n]) * gain[n]) >> 10, -limit, +limit)     if gate[n] else 0

``gain`` is Q.10 (1024 = 1.0) and may be negative; ``>>`` is an arithmetic shift (floor); the clamp
saturates, it never wraps. Samples are 4000 counts/V (1.0 = 32768 counts = 8.192 V).

* **Input inversion (§7.9)** is handled here, not in :mod:`.tdm`: the analogue front end inverts, so the
  input constants have *negative* gains (Tiliqua's convention; exact negation, no 1-LSB bias of a bit
  inversion). The raw ADC stream from :class:`.tdm.TDMCodec` keeps the codec's polarity.
* **Unplugged inputs read 0 (§7.10):** the pmod drives ``gate`` with jack bits 0-3, so a channel whose jack
  is out produces 0. In simulation/bench without the jack expander, force ``gate`` high (or build
  :class:`.pmod.EurorackPmod` with ``gate_inputs=False``).
* Default constants (per-unit calibration is not stored on the board) come from Tiliqua's published
  affine form ``y = A x + B`` (B in units of 32768 counts), converted with :meth:`CalibrationConstants.from_affine`:
  ``gain = round(1024 A)``, ``offset = round(-32768 B / A)``. R3.5 inputs A = -1.248, B = -0.03 -> gain -1278,
  offset -788; R3.5 outputs A = 0.90, B = 0 -> gain 922, offset 0. They are typical, not per unit (±50-100 mV).

The block is sequential: one 17 x 18-bit product per channel, 3 cycles per channel, ~14 cycles per vector,
far below one frame (~300 ``sync`` cycles at 192 kHz), so one DSP block per direction is enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth import Array, Const, Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from common.devices import MULTIPLIER_WIDTH

from .samples import CHANNELS, sample, sample_vector

__all__ = [
    "CalibrationConstants", "Calibration",
    "R35_INPUT", "R35_OUTPUT", "R33_INPUT", "R33_OUTPUT", "GAIN_SHIFT", "GAIN_BITS",
]

GAIN_SHIFT = 10
GAIN_BITS = MULTIPLIER_WIDTH    # one ECP5 MULT18X18D operand


@dataclass(frozen=True)
class CalibrationConstants:
    """Four (offset, gain) pairs; ``gain`` is Q.10 (1024 = 1.0), negative gains invert."""

    offsets: tuple[int, ...]
    gains: tuple[int, ...]

    def __post_init__(self):
        offsets, gains = tuple(int(o) for o in self.offsets), tuple(int(g) for g in self.gains)
        if len(offsets) != CHANNELS or len(gains) != CHANNELS:
            raise ValueError(f"need {CHANNELS} offsets and {CHANNELS} gains, got {len(offsets)} and {len(gains)}")
        for o in offsets:
            if not -32768 <= o <= 32767:
                raise ValueError(f"calibration offset {o} outside int16")
        lim = 1 << (GAIN_BITS - 1)
        for g in gains:
            if not -lim <= g < lim:
                raise ValueError(f"calibration gain {g} outside signed {GAIN_BITS}-bit")
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "gains", gains)

    @classmethod
    def from_affine(cls, a: float, b: float) -> CalibrationConstants:
        """Same constants on all channels from ``y = a x + b`` (``b`` in units of 32768 counts)."""
        if a == 0:
            raise ValueError("affine gain a must be non-zero")
        gain = round(a * (1 << GAIN_SHIFT))
        offset = round(-b * 32768 / a)
        return cls((offset,) * CHANNELS, (gain,) * CHANNELS)

    @classmethod
    def identity(cls) -> CalibrationConstants:
        return cls((0,) * CHANNELS, (1 << GAIN_SHIFT,) * CHANNELS)


R35_INPUT = CalibrationConstants.from_affine(-1.248, -0.03)
R35_OUTPUT = CalibrationConstants.from_affine(0.90, 0.0)
R33_INPUT = CalibrationConstants.from_affine(-1.158, 0.008)
R33_OUTPUT = CalibrationConstants.from_affine(0.97, 0.03)


class Calibration(wiring.Component):
    """Calibrates one 4-channel stream (``sync`` domain).

    Parameters
    ----------
    constants : CalibrationConstants
    limit : int
        Saturation bound, ``|y| <= limit`` (32767; older gateware used 32000).

    Ports
    -----
    i : In(stream.Signature(sample_vector))
    o : Out(stream.Signature(sample_vector))
    gate : In(4, init=0b1111)
        channel n outputs 0 when bit n is 0 (sampled when a vector is accepted)
    """

    def __init__(self, constants: CalibrationConstants = R35_INPUT, *, limit: int = 32767):
        if not 0 < limit <= 32767:
            raise ValueError(f"limit must be in 1..32767, got {limit}")
        self.constants = constants
        self.limit = int(limit)
        super().__init__({
            "i": In(stream.Signature(sample_vector)),
            "o": Out(stream.Signature(sample_vector)),
            "gate": In(CHANNELS, init=(1 << CHANNELS) - 1),
        })

    def elaborate(self, platform):
        m = Module()

        offsets = Array(Const(o, sample) for o in self.constants.offsets)
        gains = Array(Const(g, signed(GAIN_BITS)) for g in self.constants.gains)

        x = Signal(sample_vector)
        gate = Signal(CHANNELS)
        ch = Signal(range(CHANNELS))
        diff = Signal(signed(17))
        prod = Signal(signed(17 + GAIN_BITS))
        shifted = Signal(signed(17 + GAIN_BITS - GAIN_SHIFT))
        m.d.comb += shifted.eq(prod >> GAIN_SHIFT)
        sat = Mux(shifted > self.limit, self.limit, Mux(shifted < -self.limit, -self.limit, shifted))

        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.i.ready.eq(~self.o.valid | self.o.ready)
                with m.If(self.o.ready):
                    m.d.sync += self.o.valid.eq(0)
                with m.If(self.i.valid & self.i.ready):
                    m.d.sync += [x.eq(self.i.payload), gate.eq(self.gate), ch.eq(0)]
                    m.next = "DIFF"
            with m.State("DIFF"):
                m.d.sync += diff.eq(Array(x[n] for n in range(CHANNELS))[ch] - offsets[ch])
                m.next = "MUL"
            with m.State("MUL"):
                m.d.sync += prod.eq(diff * gains[ch])
                m.next = "STORE"
            with m.State("STORE"):
                with m.Switch(ch):
                    for n in range(CHANNELS):
                        with m.Case(n):
                            m.d.sync += self.o.payload[n].eq(Mux(gate[n], sat, 0))
                m.d.sync += ch.eq(ch + 1)
                with m.If(ch == CHANNELS - 1):
                    m.d.sync += self.o.valid.eq(1)
                    m.next = "IDLE"
                with m.Else():
                    m.next = "DIFF"
        return m
