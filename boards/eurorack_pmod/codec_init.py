"""Power-up sequencer for the eurorack-pmod: PDN, AK4619 init burst, pop-free unmute, jack-detect loop.

Sequence (docs/eurorack-pmod.md §5-7; the register values are §5's, the order is the pop-free one of §7.4):

1. While this block is in reset ``pdn`` is 0 (codec, LED driver and jack expander held off, §7.1).
   Out of reset ``pdn`` goes to 1 at once. The block runs in the codec clock domain, so when it leaves
   reset MCLK/BICK/LRCK (same domain) are already running (§7.2).
2. Wait ``power_up_delay`` cycles (~10 ms in the Verilog, ~70 ms for R3.5's reset supervisor).
3. AK4619 burst: START, 0x20, pointer 0x00, 21 bytes for registers 0x00-0x14, STOP, with
   reg 0x00 = 0x36 (RSTN=0), reg 0x03 = 0x04 (192 kHz, MCLK = 128 fs) or 0x00, reg 0x14 = 0x3A (soft mute).
4. Wait ``settle_delay``; write reg 0x00 = 0x37 (RSTN=1, clocks are stable).
5. Wait ``settle_delay``; write reg 0x14 = 0x0A (soft mute off). ``ready`` goes high.
6. Loop forever: write PCA9557 (0x18) reg 0x02 = 0x00 (no polarity inversion), read reg 0x00 with a
   repeated START (bit n = 1: jack n inserted; bits 0-3 inputs, 4-7 outputs) into ``jacks``, wait
   ``poll_delay``.

Errors. Every NACK (from any byte) increments the saturating ``nack_count``, sets ``error``, sends a STOP so
the bus is released and waits ``retry_delay``. During init (steps 3-5) the whole init is retried from step 3
(still muted, RSTN=0: pop-free), at most ``max_attempts`` times in total; after that the block stops in a
FAILED state with ``error`` = 1 and ``ready`` = 0 until reset. In the jack loop a NACK keeps the last
``jacks`` value and the loop restarts after ``retry_delay``; ``error`` clears on the next successful jack
read (and on reaching ``ready``). No state waits on the bus without a bound (the I2C master bounds clock
stretching too), so nothing hangs.
"""

from __future__ import annotations

from amaranth import Array, Const, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from .i2c_master import I2COp, command_layout, response_layout

__all__ = [
    "AK4619_ADDR", "PCA9557_ADDR", "ak4619_registers", "init_program", "CodecInit",
]

AK4619_ADDR = 0x10
PCA9557_ADDR = 0x18


def ak4619_registers(*, fs_192k: bool = True, rstn: bool = True, mute: bool = False) -> list[int]:
    """The 21 AK4619 register values for 0x00-0x14 (docs/eurorack-pmod.md §5, §6).

    ``rstn`` sets bit 0 of reg 0x00; ``mute`` selects reg 0x14 = 0x3A (soft mute) instead of 0x0A;
    ``fs_192k`` selects reg 0x03 = 0x04 (FS=100, MCLK = 128 fs) instead of 0x00 (FS=000, MCLK = 256 fs).
    """
    return [
        0x37 if rstn else 0x36,   # 0x00 power management: ADC1/2 + DAC1/2 on, bit0 = RSTN
        0xAE,                     # 0x01 TDM128, I2S compatible, 32-bit slots, BCKP=1
        0x1C,                     # 0x02 32-bit DAC words, 24-bit ADC words
        0x04 if fs_192k else 0x00,  # 0x03 system clock
        0x22, 0x22,               # 0x04-0x05 mic amp 0 dB
        0x30, 0x30, 0x30, 0x30,   # 0x06-0x09 ADC volume 0 dB
        0x22,                     # 0x0A ADC filter: short delay, sharp roll-off
        0x55,                     # 0x0B single-ended inputs
        0x00,                     # 0x0C reserved
        0x06,                     # 0x0D ADC HPF off (essential for CV), not muted
        0x18, 0x18, 0x18, 0x18,   # 0x0E-0x11 DAC volume 0 dB
        0x04,                     # 0x12 DAC input select
        0x05,                     # 0x13 de-emphasis off
        0x3A if mute else 0x0A,   # 0x14 DAC mute & filter
    ]


# Program opcodes (3 bits) for the sequencer's ROM; the I2C ones map 1:1 onto I2COp.
_OP_START, _OP_WRITE, _OP_READ_LAST, _OP_STOP = 0, 1, 2, 3
_OP_SETTLE, _OP_READY, _OP_POLL = 4, 5, 6


def init_program(*, fs_192k: bool = True) -> tuple[list[tuple[int, int]], int]:
    """The sequencer's program as ``(opcode, byte)`` pairs and the index where the jack loop starts."""
    w_codec = AK4619_ADDR << 1
    w_gpio, r_gpio = PCA9557_ADDR << 1, (PCA9557_ADDR << 1) | 1

    def write(*data):
        return [(_OP_START, 0), *((_OP_WRITE, b) for b in data), (_OP_STOP, 0)]

    prog = write(w_codec, 0x00, *ak4619_registers(fs_192k=fs_192k, rstn=False, mute=True))
    prog += [(_OP_SETTLE, 0)] + write(w_codec, 0x00, 0x37)          # RSTN=1
    prog += [(_OP_SETTLE, 0)] + write(w_codec, 0x14, 0x0A)          # soft mute off
    prog += [(_OP_READY, 0)]
    loop = len(prog)
    prog += write(w_gpio, 0x02, 0x00)                                # polarity inversion off
    prog += [(_OP_START, 0), (_OP_WRITE, w_gpio), (_OP_WRITE, 0x00),
             (_OP_START, 0), (_OP_WRITE, r_gpio), (_OP_READ_LAST, 0), (_OP_STOP, 0)]
    prog += [(_OP_POLL, 0)]
    return prog, loop


class CodecInit(wiring.Component):
    """AK4619 / jack-detect sequencer (runs in ``sync``; the pmod renames it to the ``audio`` domain).

    Parameters (all delays in clock cycles of this block's domain, >= 1)
    ----------
    power_up_delay : wait after reset before the first I2C access (R3.5: ~70 ms).
    settle_delay : wait before RSTN=1 and again before unmuting.
    retry_delay : back-off after a NACK.
    poll_delay : wait between jack-detect reads.
    max_attempts : how many times the init (burst, RSTN, unmute) is tried before giving up.
    fs_192k : reg 0x03 = 0x04 (192 kHz mode) if True, else 0x00 (8-48 kHz).

    Ports
    -----
    i2c_cmd : Out(stream.Signature(command_layout))
        to :class:`I2CMaster` ``cmd``
    i2c_rsp : In(stream.Signature(response_layout))
        from :class:`I2CMaster` ``rsp``
    pdn : Out(1)
        codec PDN / ^MUTE pin, 0 in reset, 1 after
    ready : Out(1)
        codec configured and unmuted
    error : Out(1)
        a NACK is being handled, or init gave up (FAILED)
    failed : Out(1)
        init gave up after ``max_attempts`` (terminal until reset)
    nack_count : Out(8)
        saturating count of NACKs
    attempts : Out(8)
        init attempts started (saturating)
    jacks : Out(8)
        last PCA9557 input byte, bit n = jack n inserted
    """

    def __init__(self, *, power_up_delay: int, settle_delay: int, retry_delay: int, poll_delay: int,
                 max_attempts: int = 8, fs_192k: bool = True):
        delays = dict(power_up_delay=power_up_delay, settle_delay=settle_delay, retry_delay=retry_delay,
                      poll_delay=poll_delay)
        for name, value in delays.items():
            if int(value) < 1:
                raise ValueError(f"{name} must be >= 1 clock cycle, got {value}")
        if not 1 <= max_attempts <= 255:
            raise ValueError(f"max_attempts must be in 1..255, got {max_attempts}")
        self.power_up_delay = int(power_up_delay)
        self.settle_delay = int(settle_delay)
        self.retry_delay = int(retry_delay)
        self.poll_delay = int(poll_delay)
        self.max_attempts = int(max_attempts)
        self.fs_192k = bool(fs_192k)
        self.program, self.loop_start = init_program(fs_192k=fs_192k)
        super().__init__({
            "i2c_cmd": Out(stream.Signature(command_layout)),
            "i2c_rsp": In(stream.Signature(response_layout)),
            "pdn": Out(1),
            "ready": Out(1),
            "error": Out(1),
            "failed": Out(1),
            "nack_count": Out(8),
            "attempts": Out(8),
            "jacks": Out(8),
        })

    def elaborate(self, platform):
        m = Module()

        rom_op = Array(Const(op, 3) for op, _ in self.program)
        rom_arg = Array(Const(arg, 8) for _, arg in self.program)
        pc = Signal(range(len(self.program)))
        op = Signal(3)
        arg = Signal(8)
        m.d.comb += [op.eq(rom_op[pc]), arg.eq(rom_arg[pc])]

        longest = max(self.power_up_delay, self.settle_delay, self.retry_delay, self.poll_delay)
        delay = Signal(range(longest + 1))
        in_init = pc < self.loop_start

        def start_delay(cycles):
            m.d.sync += delay.eq(cycles - 1)

        def bump_nack():
            with m.If(self.nack_count != 0xFF):
                m.d.sync += self.nack_count.eq(self.nack_count + 1)

        with m.FSM():
            with m.State("RESET"):
                m.d.sync += self.pdn.eq(1)
                start_delay(self.power_up_delay)
                m.next = "POWER_UP"
            with m.State("POWER_UP"):
                with m.If(delay == 0):
                    m.d.sync += [pc.eq(0), self.attempts.eq(1)]
                    m.next = "FETCH"
                with m.Else():
                    m.d.sync += delay.eq(delay - 1)
            with m.State("FETCH"):
                with m.Switch(op):
                    with m.Case(_OP_START, _OP_WRITE, _OP_READ_LAST, _OP_STOP):
                        m.next = "COMMAND"
                    with m.Case(_OP_SETTLE):
                        start_delay(self.settle_delay)
                        m.next = "WAIT"
                    with m.Case(_OP_POLL):
                        start_delay(self.poll_delay)
                        m.next = "WAIT"
                    with m.Case(_OP_READY):
                        m.d.sync += [self.ready.eq(1), self.error.eq(0), pc.eq(pc + 1)]
            with m.State("WAIT"):
                with m.If(delay == 0):
                    with m.If(op == _OP_POLL):
                        m.d.sync += pc.eq(self.loop_start)
                    with m.Else():
                        m.d.sync += pc.eq(pc + 1)
                    m.next = "FETCH"
                with m.Else():
                    m.d.sync += delay.eq(delay - 1)
            with m.State("COMMAND"):
                m.d.comb += [
                    self.i2c_cmd.valid.eq(1),
                    self.i2c_cmd.payload.op.eq(op),    # opcodes 0-3 are the I2COp values
                    self.i2c_cmd.payload.data.eq(arg),
                    self.i2c_cmd.payload.ack.eq(0),    # the only READ is the last byte: NACK it
                ]
                with m.If(self.i2c_cmd.ready):
                    m.next = "RESPONSE"
            with m.State("RESPONSE"):
                m.d.comb += self.i2c_rsp.ready.eq(1)
                with m.If(self.i2c_rsp.valid):
                    with m.If((op == _OP_WRITE) & ~self.i2c_rsp.payload.ack):
                        bump_nack()
                        m.d.sync += self.error.eq(1)
                        m.next = "NACK_STOP"
                    with m.Else():
                        with m.If(op == _OP_READ_LAST):
                            m.d.sync += [self.jacks.eq(self.i2c_rsp.payload.data), self.error.eq(0)]
                        m.d.sync += pc.eq(pc + 1)
                        m.next = "FETCH"
            with m.State("NACK_STOP"):
                m.d.comb += [self.i2c_cmd.valid.eq(1), self.i2c_cmd.payload.op.eq(I2COp.STOP)]
                with m.If(self.i2c_cmd.ready):
                    m.next = "NACK_STOP_RESPONSE"
            with m.State("NACK_STOP_RESPONSE"):
                m.d.comb += self.i2c_rsp.ready.eq(1)
                with m.If(self.i2c_rsp.valid):
                    with m.If(in_init & (self.attempts >= self.max_attempts)):
                        m.next = "FAILED"
                    with m.Else():
                        start_delay(self.retry_delay)
                        m.next = "BACKOFF"
            with m.State("BACKOFF"):
                with m.If(delay == 0):
                    with m.If(in_init):
                        m.d.sync += [pc.eq(0), self.attempts.eq(self.attempts + 1)]
                    with m.Else():
                        m.d.sync += pc.eq(self.loop_start)
                    m.next = "FETCH"
                with m.Else():
                    m.d.sync += delay.eq(delay - 1)
            with m.State("FAILED"):
                m.d.comb += self.failed.eq(1)
                m.d.sync += [self.error.eq(1), self.ready.eq(0)]
        return m
