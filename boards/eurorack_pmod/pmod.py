"""The whole eurorack-pmod driver behind one component.

Signal path (``sync`` = network domain, ``audio`` = codec domain at 256 fs)::

    SDOUT1 -> TDMCodec.adc --AudioBridge--> Calibration(input constants, gate = jacks[0:4]) -> adc
    dac -> Calibration(output constants) --AudioBridge--> TDMCodec.dac -> SDIN1
    I2CMaster <-> CodecInit (PDN, AK4619 burst, unmute, jack loop) -> jacks / ready / error  (audio domain)

The top level must provide two clock domains:

* ``audio``: 256 fs, 49.152 MHz for 192 kHz (50 MHz gives ~195.3 kHz); its reset must stay asserted until
  the PLL is locked, because leaving reset is what releases PDN and starts the power-up delay.
* ``sync``: the network clock, unrelated to ``audio``, at least ~30 cycles per frame.

Pins (all driven from ``audio`` registers; wire to the platform with plain buffers, or see
:class:`.tdm.TDMCodec` for the ``sdout_sample_offset`` to use with I/O flip-flops):
``sdin1`` (o), ``sdout1`` (i), ``lrck`` (o), ``bick`` (o), ``mclk`` (o), ``pdn`` (o, 1 = on),
``scl_o/scl_oe/scl_i`` and ``sda_o/sda_oe/sda_i`` (open drain: o is 0, oe pulls low; no FPGA pull-up).
Only the codec's 192 kHz mode (MCLK = BICK = audio/2, reg 0x03 = 0x04) is supported: the 8-48 kHz mode
would need MCLK = the audio clock itself, forwarded with a DDR output cell.

Status ports are resynchronised into ``sync`` with 2-FF synchronisers (multi-bit values such as
``jacks`` and ``nack_count`` change rarely and may show a mixed value for one cycle when they do).
"""

from __future__ import annotations

import math

from amaranth import DomainRenamer, Module
from amaranth.lib import stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

from .calibration import R35_INPUT, R35_OUTPUT, Calibration, CalibrationConstants
from .cdc import AudioBridge
from .codec_init import CodecInit
from .i2c_master import I2CMaster
from .samples import sample_vector
from .tdm import TDMCodec

__all__ = ["EurorackPmod"]


def _cycles(seconds: float, hz: int, name: str) -> int:
    if seconds <= 0:
        raise ValueError(f"{name} must be > 0 s, got {seconds}")
    return max(1, round(seconds * hz))


class EurorackPmod(wiring.Component):
    """eurorack-pmod R3.x driver: calibrated 4-channel ADC/DAC streams in ``sync``, 192 kHz codec mode.

    Parameters
    ----------
    audio_clk_hz : int
        frequency of the ``audio`` domain (256 fs), used for delays and SCL
    i2c_hz : int
        target SCL rate (~100-400 kHz); the divider is rounded up
    i2c_divider : int or None
        override: audio clocks per quarter SCL period (tests use 4)
    power_up_delay_s : float
        after reset, before the first I2C access (R3.5: 70 ms; Verilog: ~10 ms)
    settle_delay_s : float
        before RSTN=1 and again before unmuting
    retry_delay_s : float
        back-off after a NACK
    poll_interval_s : float
        between jack-detect reads
    max_init_attempts : int
        init tries before the FAILED state
    input_cal, output_cal : CalibrationConstants
        defaults: R3.5 (see :mod:`.calibration`)
    limit : int
        calibrated-sample saturation bound (32767)
    gate_inputs : bool
        zero inputs whose jack is out (hardware behaviour); False for benches
    sdout_sample_offset : int
        see :class:`.tdm.TDMCodec`
    lrck_lead_bits : int
        1 = I2S one-bit delay (default), 0 = LRCK edge with the MSB; see TDMCodec
    fifo_depth : int
        :class:`.cdc.AudioBridge` depth

    Ports
    -----
    adc : Out(stream.Signature(sample_vector))
        calibrated inputs, sync domain, one vector per frame
    dac : In(stream.Signature(sample_vector))
        outputs to calibrate and play, sync domain
    jacks : Out(8)
        bit n = jack n inserted (0-3 inputs, 4-7 outputs), sync domain
    ready : Out(1)
        codec configured and unmuted, sync domain
    error : Out(1)
        I2C NACK being handled or init failed, sync domain
    nack_count : Out(8)
        saturating NACK count, sync domain
    sdin1, lrck, bick, mclk, pdn, scl_o, scl_oe, sda_o, sda_oe : Out(1)
        pins (audio domain)
    sdout1, scl_i, sda_i : In(1)
        pins (asynchronous inputs)
    """

    def __init__(self, *, audio_clk_hz: int = 49_152_000, i2c_hz: int = 250_000, i2c_divider: int | None = None,
                 power_up_delay_s: float = 0.070, settle_delay_s: float = 0.005, retry_delay_s: float = 0.050,
                 poll_interval_s: float = 0.002, max_init_attempts: int = 8,
                 input_cal: CalibrationConstants = R35_INPUT, output_cal: CalibrationConstants = R35_OUTPUT,
                 limit: int = 32767, gate_inputs: bool = True, sdout_sample_offset: int = 0,
                 lrck_lead_bits: int = 1, fifo_depth: int = 4):
        if audio_clk_hz <= 0:
            raise ValueError(f"audio_clk_hz must be > 0, got {audio_clk_hz}")
        if not 10_000 <= i2c_hz <= 400_000:
            raise ValueError(f"i2c_hz must be in 10 kHz..400 kHz, got {i2c_hz}")
        self.audio_clk_hz = int(audio_clk_hz)
        if i2c_divider is None:
            i2c_divider = max(4, math.ceil(audio_clk_hz / (4 * i2c_hz)))
        self.i2c_divider = int(i2c_divider)
        self.i2c_hz_actual = audio_clk_hz / (4 * self.i2c_divider)
        self.timing = dict(
            power_up_delay=_cycles(power_up_delay_s, audio_clk_hz, "power_up_delay_s"),
            settle_delay=_cycles(settle_delay_s, audio_clk_hz, "settle_delay_s"),
            retry_delay=_cycles(retry_delay_s, audio_clk_hz, "retry_delay_s"),
            poll_delay=_cycles(poll_interval_s, audio_clk_hz, "poll_interval_s"),
        )
        self.max_init_attempts = max_init_attempts
        self.input_cal = input_cal
        self.output_cal = output_cal
        self.limit = limit
        self.gate_inputs = bool(gate_inputs)
        self.sdout_sample_offset = sdout_sample_offset
        self.fifo_depth = fifo_depth
        # Build the sub-blocks now so bad parameters fail at construction, not at elaboration.
        self._init = CodecInit(max_attempts=max_init_attempts, fs_192k=True, **self.timing)
        self._i2c = I2CMaster(divider=self.i2c_divider)
        self._tdm = TDMCodec(sdout_sample_offset=sdout_sample_offset, lrck_lead_bits=lrck_lead_bits)
        self._bridge = AudioBridge(depth=fifo_depth)
        self._cal_in = Calibration(input_cal, limit=limit)
        self._cal_out = Calibration(output_cal, limit=limit)
        super().__init__({
            "adc": Out(stream.Signature(sample_vector)),
            "dac": In(stream.Signature(sample_vector)),
            "jacks": Out(8), "ready": Out(1), "error": Out(1), "nack_count": Out(8),
            "sdin1": Out(1), "sdout1": In(1), "lrck": Out(1), "bick": Out(1), "mclk": Out(1), "pdn": Out(1),
            "scl_o": Out(1), "scl_oe": Out(1), "scl_i": In(1, init=1),
            "sda_o": Out(1), "sda_oe": Out(1), "sda_i": In(1, init=1),
        })

    def elaborate(self, platform):
        m = Module()
        to_audio = DomainRenamer({"sync": "audio"})
        init, i2c, tdm = self._init, self._i2c, self._tdm
        bridge, cal_in, cal_out = self._bridge, self._cal_in, self._cal_out
        m.submodules.codec_init = to_audio(init)
        m.submodules.i2c = to_audio(i2c)
        m.submodules.tdm = to_audio(tdm)
        m.submodules.bridge = bridge
        m.submodules.cal_in = cal_in
        m.submodules.cal_out = cal_out

        # Control path (audio domain).
        wiring.connect(m, init.i2c_cmd, i2c.cmd)
        wiring.connect(m, i2c.rsp, init.i2c_rsp)
        m.d.comb += [
            self.pdn.eq(init.pdn),
            self.scl_o.eq(i2c.scl_o), self.scl_oe.eq(i2c.scl_oe), i2c.scl_i.eq(self.scl_i),
            self.sda_o.eq(i2c.sda_o), self.sda_oe.eq(i2c.sda_oe), i2c.sda_i.eq(self.sda_i),
        ]

        # Audio pins.
        m.d.comb += [
            self.sdin1.eq(tdm.sdin1), tdm.sdout1.eq(self.sdout1),
            self.lrck.eq(tdm.lrck), self.bick.eq(tdm.bick), self.mclk.eq(tdm.mclk),
        ]

        # Sample path.
        wiring.connect(m, tdm.adc, bridge.adc_in)
        wiring.connect(m, bridge.adc_out, cal_in.i)
        wiring.connect(m, cal_in.o, wiring.flipped(self.adc))
        wiring.connect(m, wiring.flipped(self.dac), cal_out.i)
        wiring.connect(m, cal_out.o, bridge.dac_in)
        wiring.connect(m, bridge.dac_out, tdm.dac)

        # Status into sync.
        for name, src, dst in [("jacks", init.jacks, self.jacks), ("ready", init.ready, self.ready),
                               ("error", init.error, self.error), ("nack", init.nack_count, self.nack_count)]:
            m.submodules[f"sync_{name}"] = FFSynchronizer(src, dst, o_domain="sync")
        if self.gate_inputs:
            m.d.comb += cal_in.gate.eq(self.jacks[0:4])
        else:
            m.d.comb += cal_in.gate.eq(0b1111)
        return m
