"""Behavioural models of the eurorack-pmod's bus partners, for ``amaranth.sim`` tests.

Both are event driven (``ctx.changed`` on the pins the FPGA drives) and are added with
``sim.add_process(model.process)``; they run in the background and never end the simulation.

* :class:`I2CTargetModel`: any number of register-file targets on one open-drain bus. It decodes
  START / address / data / repeated START / STOP, ACKs the addresses it knows (and can be told to NACK
  the next N address bytes), records every transaction and every register write in order, and answers
  reads from its register files (first written byte = register pointer, auto-increment).
* :class:`CodecTDMModel`: the AK4619 side of TDM128 as described in :mod:`..tdm` (I2S one-bit delay,
  BCKP=1): it frames on LRCK's falling edge, drives SDOUT1 on BICK rising from a queue of ADC frames
  (4 x 32-bit slot words) and captures SDIN1 on BICK falling into DAC frames.

The models are written from the protocol descriptions, not from the RTL, so a test that pairs them
with the RTL checks the RTL against the protocol.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

__all__ = ["I2CTransaction", "I2CTargetModel", "CodecTDMModel"]


@dataclass
class I2CTransaction:
    """One addressed transfer, from a (repeated) START to the next START or STOP."""

    addr: int                      # 7-bit address
    read: bool
    acked: bool                    # address ACKed by the model
    data: list[int] = field(default_factory=list)   # bytes written by the master, or read by it
    stopped: bool = False          # ended with STOP (False: repeated START followed)


class I2CTargetModel:
    """Register-file I2C targets. ``devices`` maps 7-bit address -> initial register contents.

    ``stretch_s`` > 0 makes the targets hold SCL low for that long each time the master releases it
    (clock stretching); ``scl_stuck_low`` holds SCL low for ever (a broken bus).
    """

    def __init__(self, *, scl_oe, sda_oe, scl_i, sda_i, devices: dict[int, dict[int, int]] | None = None,
                 stretch_s: float = 0.0, scl_stuck_low: bool = False):
        self.scl_oe, self.sda_oe, self.scl_i, self.sda_i = scl_oe, sda_oe, scl_i, sda_i
        self.regs: dict[int, bytearray] = {}
        for addr, init in (devices or {}).items():
            self.regs[addr] = bytearray(256)
            for reg, value in init.items():
                self.regs[addr][reg] = value
        self.stretch_s = float(stretch_s)
        self.scl_stuck_low = bool(scl_stuck_low)
        self.transactions: list[I2CTransaction] = []
        self.writes: list[tuple[int, int, int]] = []   # (addr, reg, value) in bus order
        self.starts = 0
        self.stops = 0
        self.stretches = 0
        self._nack_remaining = 0
        self._pointer: dict[int, int] = {addr: 0 for addr in self.regs}
        # Bus decoder state.
        self._pull = False          # the target pulls SDA low
        self._scl_prev = self._sda_prev = 1
        self._phase = "idle"        # idle | addr | write | read | ignore
        self._clocks = 0            # SCL rising edges in the current byte (9 with the ACK)
        self._shift = 0
        self._byte_index = 0        # data bytes in the current write transaction
        self._cur: I2CTransaction | None = None
        self._out_byte = 0
        self._master_ack = False

    def nack_next(self, count: int):
        """NACK the next ``count`` address bytes sent to known addresses."""
        self._nack_remaining = count

    async def process(self, ctx):
        scl_oe_prev = 0
        while True:
            scl_oe, sda_oe = await ctx.changed(self.scl_oe, self.sda_oe)
            if scl_oe_prev and not scl_oe and (self.stretch_s > 0 or self.scl_stuck_low):
                # The master released SCL; the target keeps it low (clock stretching).
                self.stretches += 1
                scl_oe_prev = scl_oe
                self._drive(ctx, sda_oe, scl_low=True)
                if self.scl_stuck_low:
                    continue
                _, scl_oe, sda_oe = await ctx.delay(self.stretch_s).sample(self.scl_oe, self.sda_oe)
            scl_oe_prev = scl_oe
            scl = 0 if (scl_oe or self.scl_stuck_low) else 1
            self._bus(scl, sda_oe)
            self._drive(ctx, sda_oe, scl_low=not scl)

    def _drive(self, ctx, sda_oe, *, scl_low):
        ctx.set(self.scl_i, 0 if scl_low else 1)
        ctx.set(self.sda_i, 0 if (sda_oe or self._pull) else 1)

    def _finish(self, stopped):
        if self._cur is not None:
            self._cur.stopped = stopped
            self.transactions.append(self._cur)
        self._cur = None

    def _bus(self, scl, sda_oe):
        """One change of the bus lines: decode it, then update the target's own SDA pull."""
        sda = 0 if (sda_oe or self._pull) else 1
        if scl and self._scl_prev and sda != self._sda_prev:
            self._finish(stopped=bool(sda))
            self._pull = False
            if sda == 0:                           # START (or repeated START)
                self.starts += 1
                self._phase, self._clocks, self._shift = "addr", 0, 0
            else:                                  # STOP
                self.stops += 1
                self._phase = "idle"
        elif scl and not self._scl_prev:           # SCL rising: sample
            self._clocks += 1
            if self._phase in ("addr", "write") and self._clocks <= 8:
                self._shift = ((self._shift << 1) | sda) & 0xFF
            elif self._phase == "read" and self._clocks == 9:
                self._master_ack = sda == 0
        elif not scl and self._scl_prev:           # SCL falling: drive
            if self._phase in ("addr", "write"):
                self._falling_receive()
            elif self._phase == "read":
                self._falling_transmit()
        self._scl_prev = scl
        self._sda_prev = 0 if (sda_oe or self._pull) else 1

    def _falling_receive(self):
        if self._clocks == 8:                      # byte complete: ACK or NACK it
            if self._phase == "addr":
                addr, read = self._shift >> 1, bool(self._shift & 1)
                ack = addr in self.regs
                if ack and self._nack_remaining:
                    self._nack_remaining -= 1
                    ack = False
                self._cur = I2CTransaction(addr, read, ack)
                self._byte_index = 0
            else:
                ack = True
                self._cur.data.append(self._shift)
                addr = self._cur.addr
                if self._byte_index == 0:
                    self._pointer[addr] = self._shift
                else:
                    reg = self._pointer[addr]
                    self.regs[addr][reg] = self._shift
                    self.writes.append((addr, reg, self._shift))
                    self._pointer[addr] = (reg + 1) & 0xFF
                self._byte_index += 1
            self._pull = ack
        elif self._clocks == 9:                    # ACK clock over
            self._pull = False
            self._clocks = 0
            if self._phase == "addr":
                if not self._cur.acked:
                    self._phase = "ignore"
                elif self._cur.read:
                    self._phase = "read"
                    self._out_byte = self._next_read()
                    self._pull = not (self._out_byte >> 7) & 1
                else:
                    self._phase = "write"

    def _falling_transmit(self):
        if self._clocks < 8:
            self._pull = not (self._out_byte >> (7 - self._clocks)) & 1
        elif self._clocks == 8:
            self._pull = False                     # master's ACK slot
        elif self._clocks == 9:
            self._clocks = 0
            if self._master_ack:
                self._out_byte = self._next_read()
                self._pull = not (self._out_byte >> 7) & 1
            else:
                self._phase = "ignore"
                self._pull = False

    def _next_read(self) -> int:
        reg = self._pointer[self._cur.addr]
        value = self.regs[self._cur.addr][reg]
        self._pointer[self._cur.addr] = (reg + 1) & 0xFF
        self._cur.data.append(value)
        return value


class CodecTDMModel:
    """AK4619 TDM128 (I2S-compatible, BCKP=1) as seen from its pins.

    ``queue_adc(frame)`` appends a frame of four 32-bit slot words (a 24-bit ADC word sits in bits
    31..8); frames are sent in order, zeros when the queue is empty (``sent`` records what was sent).
    ``dac_frames`` collects every complete frame of four 32-bit words received on SDIN1.
    """

    def __init__(self, *, bick, lrck, sdin1, sdout1, lrck_lead_bits: int = 1):
        self.bick, self.lrck, self.sdin1, self.sdout1 = bick, lrck, sdin1, sdout1
        self.lrck_lead_bits = lrck_lead_bits        # LRCK falls this many bit periods before the MSB
        self._adc: deque[tuple[int, ...]] = deque()
        self.sent: list[tuple[int, ...]] = []
        self.dac_frames: list[tuple[int, ...]] = []
        self.bick_rises = 0

    def queue_adc(self, frame):
        frame = tuple(int(w) & 0xFFFFFFFF for w in frame)
        if len(frame) != 4:
            raise ValueError("an ADC frame has 4 slot words")
        self._adc.append(frame)

    async def process(self, ctx):
        pos = None              # bit period 0..127 of the frame being transferred, None before sync
        lrck_prev = None
        bits_seen = 0           # SDIN1 bits captured since the first sync
        dac_words = [0, 0, 0, 0]
        adc = (0, 0, 0, 0)
        fall_pos = (128 - self.lrck_lead_bits) % 128
        async for bick, lrck, sdin in ctx.changed(self.bick).sample(self.lrck, self.sdin1):
            if bick:                                         # rising: drive the next bit
                self.bick_rises += 1
                if pos is None:
                    continue
                pos = (pos + 1) % 128
                if pos == 0:
                    adc = self._adc.popleft() if self._adc else (0, 0, 0, 0)
                    self.sent.append(adc)
                ctx.set(self.sdout1, (adc[pos // 32] >> (31 - pos % 32)) & 1)
            else:                                            # falling: sample LRCK and SDIN1
                if lrck_prev == 1 and lrck == 0:
                    if pos is not None and pos != fall_pos:
                        raise AssertionError(f"LRCK fell at bit period {pos}, expected {fall_pos}")
                    pos = fall_pos
                lrck_prev = lrck
                if pos is None:
                    continue
                if lrck != ((pos + self.lrck_lead_bits) % 128 >= 64):
                    raise AssertionError(f"LRCK = {lrck} at bit period {pos}")
                slot, bit = divmod(pos, 32)
                dac_words[slot] = (dac_words[slot] << 1 | sdin) & 0xFFFFFFFF
                bits_seen += 1
                if pos == 127 and bits_seen >= 128:
                    self.dac_frames.append(tuple(dac_words))
