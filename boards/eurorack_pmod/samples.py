"""The eurorack-pmod's samples, defined once: 4 channels of calibrated signed 16-bit, 4000 counts per volt.

The AK4619VN carries 4 channels each way (ADC1 L/R, ADC2 L/R and the same for the DACs). The driver moves
one sample per channel per codec frame as a :data:`sample_vector` (element n = channel n = jack n), and
after its calibration a count is 0.25 mV: 4000 counts per volt, so int16 full scale is about +-8.19 V
(``docs/eurorack-pmod.md`` §8). Every stream at the codec edge (the driver,
the board's audio path, the datalogger) uses these shapes, and every conversion to volts uses
:data:`COUNTS_PER_VOLT`.
"""

from __future__ import annotations

from amaranth.hdl import signed
from amaranth.lib import data

__all__ = ["CHANNELS", "CODEC_MAX", "CODEC_MIN", "CODEC_SAMPLE_RATE_HZ", "COUNTS_PER_VOLT", "FULL_SCALE_VOLTS",
           "sample", "sample_array", "sample_vector"]

#: Input jacks, and output jacks: one TDM slot each.
CHANNELS = 4
#: Samples per second in the codec's one mode the driver runs (192 kHz: reg 0x03 = 0x04, MCLK = 128 fs;
#: ``pmod.py``): the nominal rate every board's clocking aims for. A network reads its own rate from
#: ``config.sample_rate_hz``.
CODEC_SAMPLE_RATE_HZ = 192_000
#: One calibrated sample.
sample = signed(16)
#: Range of one sample.
CODEC_MIN, CODEC_MAX = -(1 << 15), (1 << 15) - 1
#: Calibrated scale: 4000 counts per volt (4 counts per millivolt).
COUNTS_PER_VOLT = 4000
#: Volts at integer full scale: 32768 counts / 4000 counts per volt = 8.192 V.
FULL_SCALE_VOLTS = (CODEC_MAX + 1) / COUNTS_PER_VOLT


def sample_array(channels: int) -> data.ArrayLayout:
    """``channels`` samples side by side, channel 0 in the low bits (a subset of the jacks, for instance)."""
    return data.ArrayLayout(sample, channels)


#: One sample period of all four channels: the payload of every stream at the codec edge.
sample_vector = sample_array(CHANNELS)
