"""TDM128 serialiser/deserialiser and codec clock generator for the AK4619 (192 kHz mode).

Clocks (docs/eurorack-pmod.md §4, §6). This block runs in one domain clocked at 256 fs (49.152 MHz for 192 kHz;
the pmod renames ``sync`` to ``audio``). An 8-bit counter ``c`` splits each frame into 256 cycles:

* BICK = 128 fs = clock / 2, MCLK = BICK (register 0x03 = 0x04: MCLK = 128 fs), LRCK = fs, 50 % duty.
* Bit period ``b`` = 0..127 of the frame spans two clock cycles; slot ``b // 32`` (ch0..ch3 =
  ADC1 L/R, ADC2 L/R), bit ``31 - b % 32`` of the 32-bit slot word, MSB first.

Wire protocol (I2S-compatible TDM with BCKP=1, as programmed by :mod:`.codec_init`):

* The FPGA changes SDIN1 and LRCK on BICK **rising**; it samples SDOUT1 on BICK **falling** (§4).
* LRCK is low for the first half of the frame; by default it falls one bit period *before* slot 0's MSB
  (the I2S one-bit delay, ``lrck_lead_bits=1``): LRCK = 0 during bit periods 127, 0..62 and 1 during
  63..126. ``lrck_lead_bits=0`` makes LRCK fall with the MSB (left-justified style), a bring-up knob.
* DAC words: the signed 16-bit sample in the top 16 bits of each 32-bit slot, the rest zero.
* ADC words: the codec sends 24-bit words at the top of each slot; the top 16 bits are kept (floor).

All pin outputs are registered (one cycle after the counter), SDOUT1 passes through one input
register. SDOUT1's bit ``b`` is taken from the input register ``1 + sdout_sample_offset`` cycles after
the clock edge that makes BICK fall. Offset 0 samples at the datasheet edge; 1 samples half a BICK
later (more margin for cable delay at 24.576 MHz BICK). If the top level puts the pins into I/O
flip-flops (``io.FFBuffer``) add 1 for the output registers and 1 for the input register (i.e. +2).
**Unverified on hardware:** the exact LRCK-to-data alignment and the best sampling offset at 192 kHz
(hence the two parameters).

Streams (both carry :data:`.samples.sample_vector`, one vector per frame):

* ``adc``: raw ADC samples (no inversion here: the analogue front end inverts the inputs, §7.9, and
  :class:`.calibration.Calibration` compensates with negative input gains). A new vector appears once
  per frame; ``valid`` is held until accepted, a new frame overwrites an unaccepted one (``adc_overrun``).
* ``dac``: sampled once per frame at the frame boundary (``ready`` is high for that one cycle only);
  if no vector is valid then, the previous vector is sent again.
"""

from __future__ import annotations

from amaranth import Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .samples import CHANNELS, sample_vector

__all__ = ["TDMCodec", "FRAME_CYCLES", "SLOTS", "SLOT_BITS"]

#: One 32-bit slot per channel.
SLOTS = CHANNELS
SLOT_BITS = 32
FRAME_CYCLES = 256


class TDMCodec(wiring.Component):
    """AK4619 TDM128 interface: clock generation, DAC serialiser, ADC deserialiser.

    Parameters
    ----------
    sdout_sample_offset : int
        Extra clock cycles between the BICK-falling edge and the use of the captured SDOUT1 bit (0..3),
        see the module docstring.
    lrck_lead_bits : int
        Bit periods by which the LRCK falling edge precedes slot 0's MSB: 1 (I2S, default) or 0.

    Ports
    -----
    adc : Out(stream.Signature(sample_vector))
        raw ADC samples, one vector per frame
    dac : In(stream.Signature(sample_vector))
        DAC samples, latched once per frame
    frame : Out(1)
        one-cycle strobe when the DAC vector is latched (frame boundary)
    adc_overrun : Out(1)
        sticky: an ADC vector was overwritten before being accepted
    sdin1 : Out(1)
        DAC data to the codec
    sdout1 : In(1)
        ADC data from the codec
    lrck : Out(1)
        frame clock (fs)
    bick : Out(1)
        bit clock (128 fs)
    mclk : Out(1)
        master clock (128 fs in 192 kHz mode)
    """

    def __init__(self, *, sdout_sample_offset: int = 0, lrck_lead_bits: int = 1):
        if not 0 <= sdout_sample_offset <= 3:
            raise ValueError(f"sdout_sample_offset must be in 0..3, got {sdout_sample_offset}")
        if lrck_lead_bits not in (0, 1):
            raise ValueError(f"lrck_lead_bits must be 0 or 1, got {lrck_lead_bits}")
        self.sdout_sample_offset = int(sdout_sample_offset)
        self.lrck_lead_bits = int(lrck_lead_bits)
        super().__init__({
            "adc": Out(stream.Signature(sample_vector)),
            "dac": In(stream.Signature(sample_vector)),
            "frame": Out(1),
            "adc_overrun": Out(1),
            "sdin1": Out(1), "sdout1": In(1),
            "lrck": Out(1), "bick": Out(1), "mclk": Out(1),
        })

    def elaborate(self, platform):
        m = Module()

        count = Signal(8)
        m.d.sync += count.eq(count + 1)
        b = count[1:8]                      # bit period driven onto the pins next cycle

        # --- clocks and DAC data, all registered (pins show the state of the previous cycle) ---
        dac_frame = Signal(sample_vector)
        slot = b[5:7]
        bit_in_slot = b[0:5]                # 0 = MSB of the 32-bit slot
        dac_bit = Signal()
        with m.If(bit_in_slot < 16):
            # Bit 15 - i of slot s is bit 16 s + (~i & 15) of the flattened frame.
            m.d.comb += dac_bit.eq(dac_frame.as_value().bit_select(Cat(~bit_in_slot[0:4], slot), 1))
        m.d.sync += [
            self.bick.eq(~count[0]),
            self.mclk.eq(~count[0]),
            self.lrck.eq((b + self.lrck_lead_bits)[6]),
            self.sdin1.eq(dac_bit),
        ]

        # Frame boundary: the last cycle of bit period 127; the next cycle computes bit 0 of slot 0.
        last = count == FRAME_CYCLES - 1
        m.d.comb += [self.frame.eq(last), self.dac.ready.eq(last)]
        with m.If(last & self.dac.valid):
            m.d.sync += dac_frame.eq(self.dac.payload)

        # --- ADC data ---
        sdout_q = Signal()
        m.d.sync += sdout_q.eq(self.sdout1)
        # The register holds bit b during cycle 2b + 2 (+ offset).
        rel = Signal(8)
        m.d.comb += rel.eq(count - 2 - self.sdout_sample_offset)
        rx_b = rel[1:8]
        rx_slot = rx_b[5:7]
        rx_bit = rx_b[0:5]
        shift = Signal(16)
        words = Signal(sample_vector)       # completed slots of the current frame
        with m.If(self.adc.ready):
            m.d.sync += self.adc.valid.eq(0)
        with m.If(~rel[0] & (rx_bit < 16)):
            m.d.sync += shift.eq(Cat(sdout_q, shift[0:15]))
            with m.If(rx_bit == 15):
                word = Cat(sdout_q, shift[0:15])
                with m.Switch(rx_slot):
                    for i in range(SLOTS):
                        with m.Case(i):
                            m.d.sync += words[i].eq(word)
                with m.If(rx_slot == SLOTS - 1):
                    m.d.sync += [
                        self.adc.payload.eq(Cat(words.as_value()[0:16 * (SLOTS - 1)], word)),
                        self.adc.valid.eq(1),
                    ]
                    with m.If(self.adc.valid & ~self.adc.ready):
                        m.d.sync += self.adc_overrun.eq(1)
        return m
