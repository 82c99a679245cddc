"""Parameter checks happen at construction, with clear errors; derived timing is what docs/eurorack-pmod.md §7 asks."""

from __future__ import annotations

import pytest

from boards.tests.helpers import unelaborated

from ..cdc import AudioBridge
from ..codec_init import CodecInit
from ..i2c_master import I2CMaster
from ..pmod import EurorackPmod
from ..tdm import TDMCodec


@unelaborated()
def test_bad_parameters_raise():
    with pytest.raises(ValueError, match="divider"):
        I2CMaster(divider=3)
    with pytest.raises(ValueError, match="power_up_delay"):
        CodecInit(power_up_delay=0, settle_delay=1, retry_delay=1, poll_delay=1)
    with pytest.raises(ValueError, match="max_attempts"):
        CodecInit(power_up_delay=1, settle_delay=1, retry_delay=1, poll_delay=1, max_attempts=0)
    with pytest.raises(ValueError, match="sdout_sample_offset"):
        TDMCodec(sdout_sample_offset=4)
    with pytest.raises(ValueError, match="depth"):
        AudioBridge(depth=3)
    with pytest.raises(ValueError, match="i2c_hz"):
        EurorackPmod(i2c_hz=1_000_000)
    with pytest.raises(ValueError, match="retry_delay_s"):
        EurorackPmod(retry_delay_s=0)


@unelaborated()
def test_default_timing():
    pmod = EurorackPmod()
    # SCL in the 100-400 kHz window, at or below the requested 250 kHz.
    assert 100_000 <= pmod.i2c_hz_actual <= 250_000
    assert pmod.i2c_divider == 50                      # ceil(49.152 MHz / (4 * 250 kHz))
    # R3.5: ~70 ms before the first I2C access, counted in 49.152 MHz audio clocks.
    assert pmod.timing["power_up_delay"] == round(0.070 * 49_152_000)
