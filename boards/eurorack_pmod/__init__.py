"""eurorack-pmod (AK4619 codec) driver in Amaranth 0.5. See README.md for the signal path and clocks.

Public API: :class:`EurorackPmod` (everything), and the blocks it is made of: :class:`I2CMaster`,
:class:`CodecInit`, :class:`TDMCodec`, :class:`Calibration`, :class:`AudioBridge`.
"""

from .calibration import R33_INPUT, R33_OUTPUT, R35_INPUT, R35_OUTPUT, Calibration, CalibrationConstants
from .cdc import AudioBridge
from .codec_init import CodecInit, ak4619_registers
from .i2c_master import I2CMaster, I2COp, command_layout, response_layout
from .pmod import EurorackPmod
from .samples import sample_vector
from .tdm import TDMCodec

__all__ = [
    "EurorackPmod", "I2CMaster", "I2COp", "command_layout", "response_layout", "CodecInit",
    "ak4619_registers", "TDMCodec", "sample_vector", "Calibration", "CalibrationConstants", "AudioBridge",
    "R35_INPUT", "R35_OUTPUT", "R33_INPUT", "R33_OUTPUT",
]
