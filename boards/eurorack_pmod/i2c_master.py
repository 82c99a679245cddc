"""Byte-level I2C master with open-drain pins (the eurorack-pmod's one shared control bus).

Hardware reasons (docs/eurorack-pmod.md §2, §7.7):

* ECP5 I2C must be open drain: the FPGA either pulls a line low or releases it; the board's pull-ups
  make it high. So ``scl_o``/``sda_o`` are constant 0 and only the output enables ``scl_oe``/``sda_oe``
  toggle. The top level wires each (o, oe, i) triple to a bidirectional I/O buffer (``PULLMODE=NONE``).
* Targets may stretch SCL. After releasing SCL the master waits for ``scl_i`` to read high, but only for
  ``stretch_timeout`` cycles, so a stuck bus can never hang the sequencer.

Protocol. One :data:`command_layout` command in gives exactly one :data:`response_layout` response out:

============  ==============================================  =========================================
``op``        bus action                                       response
============  ==============================================  =========================================
``START``     (repeated) START condition                       ``ack=1``
``WRITE``     8 bits of ``data`` MSB first, then reads ACK     ``ack=1`` if the target pulled SDA low
``READ``      reads 8 bits, then sends ACK if ``ack=1``         ``data`` = byte read, ``ack`` = echoed
              (more bytes follow) or NACK if ``ack=0`` (last)
``STOP``      STOP condition (bus released, SCL and SDA high)  ``ack=1``
============  ==============================================  =========================================

Timing: one SCL period is four quarters of ``divider`` clock cycles (plus 1-2 cycles of pin/synchroniser
latency per stretch check), so f_SCL ~= f_clk / (4 * divider). In a quarter-period scheme SDA only changes
while SCL is low (quarter 0), SCL rises at quarter 1, the master samples SDA at the end of quarter 2 and
pulls SCL low at quarter 3.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["I2COp", "command_layout", "response_layout", "I2CMaster"]


class I2COp(enum.Enum, shape=2):
    START = 0
    WRITE = 1
    READ = 2
    STOP = 3


#: Command: ``op``; ``data`` is the byte for WRITE; ``ack`` is what the master sends after a READ byte.
command_layout = data.StructLayout({"op": I2COp, "data": 8, "ack": 1})
#: Response: ``data`` is the byte read (READ only); ``ack`` is the target's ACK for WRITE, else 1 / echoed.
response_layout = data.StructLayout({"data": 8, "ack": 1})

_KIND_START, _KIND_BIT, _KIND_STOP = 0, 1, 2


class I2CMaster(wiring.Component):
    """Open-drain I2C master driven by a byte-level command stream (runs in ``sync``; rename as needed).

    Parameters
    ----------
    divider : int
        Clock cycles per quarter SCL period (>= 4). ``f_SCL ~= f_clk / (4 * divider)``; at 49.152 MHz,
        ``divider=49`` gives ~250 kHz.
    stretch_timeout : int
        Longest clock stretch honoured, in clock cycles; after it the master carries on as if SCL were high.

    Ports
    -----
    cmd : In(stream.Signature(command_layout))
    rsp : Out(stream.Signature(response_layout))
        one response per command, held until accepted
    busy : Out(1)
        a command is being executed or its response is pending
    scl_o, sda_o : Out(1)
        always 0 (open drain)
    scl_oe, sda_oe : Out(1)
        1 = pull the line low, 0 = release it
    scl_i, sda_i : In(1, init=1)
        line levels as read back from the pads (asynchronous)
    """

    def __init__(self, *, divider: int = 49, stretch_timeout: int = 1 << 16):
        if divider < 4:
            raise ValueError(f"I2C divider must be >= 4 clock cycles per quarter period, got {divider}")
        if stretch_timeout < 1:
            raise ValueError(f"stretch_timeout must be >= 1 cycle, got {stretch_timeout}")
        self.divider = int(divider)
        self.stretch_timeout = int(stretch_timeout)
        super().__init__({
            "cmd": In(stream.Signature(command_layout)),
            "rsp": Out(stream.Signature(response_layout)),
            "busy": Out(1),
            "scl_o": Out(1), "scl_oe": Out(1), "scl_i": In(1, init=1),
            "sda_o": Out(1), "sda_oe": Out(1), "sda_i": In(1, init=1),
        })

    def elaborate(self, platform):
        m = Module()

        scl_in = Signal(init=1)
        sda_in = Signal(init=1)
        m.submodules.scl_sync = FFSynchronizer(self.scl_i, scl_in, init=1)
        m.submodules.sda_sync = FFSynchronizer(self.sda_i, sda_in, init=1)

        kind = Signal(2)
        op = Signal(I2COp)
        phase = Signal(2)
        bit_idx = Signal(4)          # 0..8: eight data bits then the ACK slot
        tx = Signal(9)               # MSB goes out first; 1 = release SDA
        rx = Signal(9)
        count = Signal(range(self.divider))
        stretch = Signal(range(self.stretch_timeout + 1))
        scl_was_low = Signal()       # SCL held low before this START (repeated START)

        # Desired line state as a function of the current element and quarter; registered onto the pins.
        want_scl_oe = Signal()
        want_sda_oe = Signal()
        with m.Switch(kind):
            with m.Case(_KIND_START):
                m.d.comb += [want_sda_oe.eq(phase >= 2),
                             want_scl_oe.eq((phase == 3) | ((phase == 0) & scl_was_low))]
            with m.Case(_KIND_BIT):
                m.d.comb += [want_sda_oe.eq(~tx[8]),
                             want_scl_oe.eq((phase == 0) | (phase == 3))]
            with m.Case(_KIND_STOP):
                m.d.comb += [want_sda_oe.eq(phase < 2),
                             want_scl_oe.eq(phase == 0)]

        m.d.comb += [self.scl_o.eq(0), self.sda_o.eq(0)]

        with m.FSM():
            with m.State("IDLE"):
                m.d.comb += self.cmd.ready.eq(1)
                with m.If(self.cmd.valid):
                    m.d.sync += [
                        op.eq(self.cmd.payload.op),
                        phase.eq(0), bit_idx.eq(0), count.eq(self.divider - 1), stretch.eq(0),
                        rx.eq(0), scl_was_low.eq(self.scl_oe),
                    ]
                    with m.Switch(self.cmd.payload.op):
                        with m.Case(I2COp.START):
                            m.d.sync += kind.eq(_KIND_START)
                        with m.Case(I2COp.STOP):
                            m.d.sync += kind.eq(_KIND_STOP)
                        with m.Case(I2COp.WRITE):
                            m.d.sync += [kind.eq(_KIND_BIT), tx.eq((self.cmd.payload.data << 1) | 1)]
                        with m.Case(I2COp.READ):
                            m.d.sync += [kind.eq(_KIND_BIT), tx.eq(0x1FE | ~self.cmd.payload.ack)]
                    m.next = "RUN"
            with m.State("RUN"):
                m.d.comb += self.busy.eq(1)
                m.d.sync += [self.scl_oe.eq(want_scl_oe), self.sda_oe.eq(want_sda_oe)]
                # Quarter 1 releases SCL: wait for it to read high (clock stretching), bounded.
                stretching = (phase == 1) & ~want_scl_oe & ~scl_in & (stretch != self.stretch_timeout)
                with m.If(stretching):
                    m.d.sync += stretch.eq(stretch + 1)
                with m.Elif(count != 0):
                    m.d.sync += count.eq(count - 1)
                with m.Else():
                    m.d.sync += [count.eq(self.divider - 1), stretch.eq(0), phase.eq(phase + 1)]
                    with m.If(phase == 2):
                        m.d.sync += rx.eq((rx << 1) | sda_in)
                    with m.If(phase == 3):
                        with m.If((kind == _KIND_BIT) & (bit_idx != 8)):
                            m.d.sync += [bit_idx.eq(bit_idx + 1), tx.eq(tx << 1)]
                        with m.Else():
                            m.next = "RESPOND"
            with m.State("RESPOND"):
                m.d.comb += [
                    self.busy.eq(1),
                    self.rsp.valid.eq(1),
                    self.rsp.payload.data.eq(Mux(op == I2COp.READ, rx[1:9], 0)),
                    self.rsp.payload.ack.eq(Mux(op == I2COp.WRITE, ~rx[0],
                                                Mux(op == I2COp.READ, ~tx[8], 1))),
                ]
                with m.If(self.rsp.ready):
                    m.next = "IDLE"
        return m
