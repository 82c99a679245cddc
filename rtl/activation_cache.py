"""``ActivationCache``: a layer's input history as a ring buffer in block RAM.

Written once per sample, read at the kernel taps 0, -d, -2d, -3d (fast-WaveNet caching). Storage is
one ``data_format`` word per (slot, channel) at address ``{slot, channel}``: a narrow memory that maps
onto ECP5 block RAM (DP16KD) instead of a vector-wide one that would need a RAM per 36 bits.

* ``push`` (one vector per sample) stores the newest vector in the ``current`` register and advances
  the write slot; slots are a power of two so the pointer wraps for free. The vector is taken into a
  staging register in the cycle of the push (no enable: every cycle) and into ``current`` one cycle later,
  under a registered enable, one copy per word: ``current`` is ``Cin`` words wide, and an enable that fans
  out to all of them from behind the layer's handshake logic was the slowest path of the large networks.
  So a pushed vector is readable at tap 0 from the second cycle after its push; a layer with ``K >= 2``
  taps reads tap ``K - 1`` first, so its first tap-0 read comes at least ``Cin >= 1`` cycles later. With a
  single tap (no history) there is no later read to wait for, and ``current`` takes the vector in the push
  cycle.
* A read of tap 0 comes from ``current``: the channel index is registered, the word selected in two
  registered steps (within a group of ``2**TAP0_GROUP_BITS`` words, then among the groups), and from that
  register ``current[channel]`` is also written into the RAM at the newest slot. The layer reads every
  channel of tap 0 during every sample, so by the time the slot is read as an older tap (at least one push
  later) it holds the whole vector, and the write never collides with a read (older taps are other slots:
  ``depth > history``).
* The RAM is split into *banks* of one block RAM each (``bank_words``: 1024 words of up to 18 bits), by the
  high bits of the word address. Every bank has registers of its own, placed beside it: its read address,
  its write address, data and enable, and its output register. No register drives the pins of more than
  one block RAM: one read address register for all 64 block RAMs of a 1024-slot history was the slowest
  path of the largest network on the 85F (a route across the die within one cycle), and the block RAM's
  clock-to-out (4.3 ns at speed grade 8 without its own output register) shares its cycle only with the
  short route into the bank's output register.
* ``data`` follows ``tap``/``channel`` by :data:`READ_LATENCY` = 4 cycles: the banks' read address
  registers, the RAM's read, the banks' output registers (zero unless the word was in that bank), then
  the OR of the banks and the tap-0 mux into the output register; on the tap-0 side the registered index,
  the two selection steps, then the same output register.
* A write (the newest vector's words, the clearing's zeros) is issued as ``write_address`` /
  ``write_enable``, taken by the banks' write registers, and lands in the block RAM one cycle after it was
  issued. The newest slot is read as an older tap only after the next push, many cycles later; the last
  clearing write lands at the end of the first cycle of ``ready``, one cycle before a read issued in that
  cycle reaches its block RAM.

The causal zero padding of docs/arithmetic.md needs an empty history after every reset, not only at
configuration: after ``rst`` the cache writes zeros to every RAM word, one per cycle (``clear_cycles``),
and holds ``ready`` low meanwhile, so a simulation or a board can reset and start again bit-exactly.
"""

from __future__ import annotations

from amaranth.hdl import Cat, Const, Module, Mux, Signal, Value
from amaranth.lib import memory, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from common.config import ModelConfig

from .resources import BRAM_WORDS
from .select import select
from .timing import HISTORY_READ_LATENCY
from .types import SampleVector, sample_shape

__all__ = ["READ_LATENCY", "ActivationCache"]

#: Cycles from ``tap``/``channel`` to ``data``.
READ_LATENCY = HISTORY_READ_LATENCY
#: Every bank is a block RAM, however small (yosys would put a short history in LUT RAM), and a read of the
#: word being written in the same cycle may return anything (``no_rw_check``): the history never reads it
#: (the formal property ``no_read_of_slot_being_written``; a tap-0 read is taken from ``current``), so yosys
#: adds no logic to pass the written word through (for each bank, a copy of the write and a multiplexer on
#: the block RAM's output).
HISTORY_MEMORY_ATTRS = {"ram_style": "block", "no_rw_check": 1}
#: Tap 0's first selection step picks one of ``2**TAP0_GROUP_BITS`` words (one LUT level, PFU mux included).
TAP0_GROUP_BITS = 2


class ActivationCache(wiring.Component):
    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int, *,
                 bank_words: int = BRAM_WORDS):
        if bank_words < 2 or bank_words & (bank_words - 1):
            raise ValueError(f"bank_words: must be a power of two of at least 2, got {bank_words}")
        self.config = config
        self.channels = channels
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.history = (kernel_size - 1) * dilation
        self.slot_bits = ceil_log2(self.history + 1)
        self.channel_bits = ceil_log2(channels)
        #: Slots of the ring buffer (0 when the kernel has a single tap and needs no RAM).
        self.depth = (1 << self.slot_bits) if self.history else 0
        #: Cycles after reset before the first push is taken: one per RAM word, to clear it.
        self.clear_cycles = self.depth << self.channel_bits
        self._bank_limit = bank_words
        super().__init__({
            "push": In(stream.Signature(SampleVector(config, channels), always_ready=True)),
            "tap": In(range(kernel_size)),
            "channel": In(range(channels)),
            "data": Out(sample_shape(config)),
            "ready": Out(1),
        })
        #: The RAM's read address, write address (``{slot, channel}`` words; the write address is the
        #: current write slot's whenever the RAM is not being cleared) and write enable, as issued (each
        #: bank registers them once before its block RAM): named here so the formal proofs (rtl/formal)
        #: can observe them.
        address_bits = max(1, self.slot_bits + self.channel_bits)
        self.read_address = Signal(address_bits)
        self.write_address = Signal(address_bits)
        self.write_enable = Signal()

    @property
    def bank_words(self) -> int:
        """Words per bank: the RAM is split into banks of one block RAM each (``BRAM_WORDS`` words of up to 18
        bits) by the high bits of the word address; a smaller RAM is a single bank (0: no RAM)."""
        return min(self.clear_cycles, self._bank_limit) if self.history else 0

    @property
    def bank_address_bits(self) -> int:
        return ceil_log2(self.bank_words)

    @property
    def banks(self) -> int:
        return self.clear_cycles // self.bank_words if self.history else 0

    def elaborate(self, platform):
        m = Module()
        shape = sample_shape(self.config)
        # Data registers without a reset (each is written before it is read; the reset net stays small).
        # The RAM is cleared after reset instead (below).
        current = Signal(SampleVector(self.config, self.channels), reset_less=True)
        if self.history == 0:
            with m.If(self.push.valid):
                m.d.sync += current.eq(self.push.payload)
        else:
            # the registered enable as one copy per word (``*_replica``, kept apart in synthesis,
            # ``boards/toolchain/runner.py``): one enable register for all Cin words was a long route on a 25F
            staged = Signal(SampleVector(self.config, self.channels), reset_less=True)
            m.d.sync += staged.eq(self.push.payload)
            for c in range(self.channels):
                pushed = Signal(name=f"pushed{c}_replica")
                m.d.sync += pushed.eq(self.push.valid)
                with m.If(pushed):
                    m.d.sync += current[c].eq(staged[c])
        # Tap 0 from ``current`` in two registered steps: the channel index is registered first (a register
        # of its own that drives only this multiplexer), then one of each group of ``TAP0_GROUP`` words is
        # selected by its low bits, then one of the groups by its high bits. ``current`` is Cin words spread
        # over the lanes' area: one Cin-way multiplexer behind one register was the slowest path of the
        # 25F's largest network (a long route from the index register, then four LUT levels).
        channel_d = Signal(range(self.channels))
        newest_d = Signal()
        m.d.sync += [channel_d.eq(self.channel), newest_d.eq(self.tap == 0)]
        low = min(TAP0_GROUP_BITS, self.channel_bits)
        groups = [Signal(shape, name=f"tap0_group{g}", reset_less=True)
                  for g in range((self.channels + (1 << low) - 1) >> low)]
        for g, group in enumerate(groups):
            words = [current[c] for c in range(g << low, min((g + 1) << low, self.channels))]
            if len(words) > 1:
                # each group's selection bits are a register of its own, beside it (``*_replica``)
                index = Signal(low, name=f"tap0_group{g}_index_replica")
                m.d.sync += index.eq(self.channel[:low])
                m.d.sync += group.eq(select(words, index))
            else:
                m.d.sync += group.eq(words[0])
        channel_dd = Signal.like(channel_d)
        newest_dd = Signal()
        m.d.sync += [channel_dd.eq(channel_d), newest_dd.eq(newest_d)]
        newest_ddd = Signal()
        channel_ddd = Signal.like(channel_d)
        current_ddd = Signal(shape, reset_less=True)
        m.d.sync += [newest_ddd.eq(newest_dd), channel_ddd.eq(channel_dd),
                     current_ddd.eq(select(groups, channel_dd[low:]) if len(groups) > 1 else groups[0])]

        if self.history == 0:
            m.d.comb += self.ready.eq(1)
            m.d.sync += self.data.eq(current_ddd)
            return m

        words = self.clear_cycles
        write_slot = Signal(self.slot_bits)
        with m.If(self.push.valid):
            m.d.sync += write_slot.eq(write_slot + 1)
        channel = self.channel[:self.channel_bits]
        back = select([Const(j * self.dilation, self.slot_bits + 1) for j in range(self.kernel_size)], self.tap)
        read_slot = (write_slot - back)[:self.slot_bits]
        clearing = Signal(init=1)
        clear_addr = Signal(range(words))
        with m.If(clearing):
            m.d.sync += clear_addr.eq(clear_addr + 1)
            with m.If(clear_addr == words - 1):
                m.d.sync += clearing.eq(0)
        # The newest vector is written three cycles after each tap-0 read, from the register that holds its
        # selected word (``current_ddd``), and reaches its bank one cycle later; the layer never pushes in
        # between (its next push comes after the pipeline behind its last read has drained,
        # ``LAYER_OVERHEAD_CYCLES``).
        m.d.comb += [
            self.ready.eq(~clearing),
            self.read_address.eq(Cat(channel, read_slot)),
            self.write_address.eq(Mux(clearing, clear_addr, Cat(channel_ddd[:self.channel_bits], write_slot))),
            self.write_enable.eq(clearing | newest_ddd),
        ]
        banks = [self._bank(m, b, shape, Mux(clearing, 0, current_ddd)) for b in range(self.banks)]
        m.d.sync += self.data.eq(Mux(newest_ddd, current_ddd, _or_tree(banks)))
        return m

    def _bank(self, m: Module, b: int, shape, write_data) -> Signal:
        """Bank ``b``: one block RAM of ``bank_words`` words with registers of its own (``*_replica``: yosys
        would merge copies with the same input, ``boards/toolchain/runner.py`` keeps them), so that no
        register drives the address, data or enable pins of more than one bank; returns its output
        register, zero unless the word read two cycles earlier was in this bank."""
        bits = self.bank_address_bits
        ram = memory.Memory(shape=shape, depth=self.bank_words, init=[], attrs=HISTORY_MEMORY_ATTRS)
        m.submodules[f"ram{b}"] = ram
        write = ram.write_port()
        # An asynchronous read port and a plain register behind it (``bank{b}_read``), which yosys merges into
        # the block RAM as its synchronous read, honouring ``no_rw_check`` (it does not for a port that is
        # synchronous from the start): the same cycle, the same word.
        read = ram.read_port(domain="comb")
        # Always a block RAM (yosys would put a short history in LUT RAM): the plan's resource estimate counts
        # one per bank, and LUTs stay for logic. No reset on the bank's registers: each is rewritten every
        # cycle from registers that have one (the write of the first cycle after reset is one the clearing
        # makes again).
        read_address = Signal(bits, name=f"bank{b}_read_address_replica", reset_less=True)
        write_address = Signal(bits, name=f"bank{b}_write_address_replica", reset_less=True)
        data = Signal(shape, name=f"bank{b}_write_data_replica", reset_less=True)
        enable = Signal(name=f"bank{b}_write_enable", reset_less=True)
        in_bank = self.write_address[bits:] == b if self.banks > 1 else Const(1)
        m.d.sync += [read_address.eq(self.read_address[:bits]), write_address.eq(self.write_address[:bits]),
                     data.eq(write_data), enable.eq(self.write_enable & in_bank)]
        m.d.comb += [read.addr.eq(read_address), write.addr.eq(write_address), write.data.eq(data),
                     write.en.eq(enable)]
        word = Signal(shape, name=f"bank{b}_read", reset_less=True)
        m.d.sync += word.eq(read.data)
        out = Signal(shape, name=f"bank{b}_q", reset_less=True)
        if self.banks > 1:
            hit = Signal(name=f"bank{b}_hit", reset_less=True)
            hit_d = Signal(name=f"bank{b}_hit_d", reset_less=True)
            m.d.sync += [hit.eq(self.read_address[bits:] == b), hit_d.eq(hit), out.eq(Mux(hit_d, word, 0))]
        else:
            m.d.sync += out.eq(word)
        return out


def _or_tree(values: list[Value]) -> Value:
    """The bitwise OR of ``values`` as a balanced tree (at most one is non-zero: the bank that was read)."""
    while len(values) > 1:
        values = [values[i] | values[i + 1] if i + 1 < len(values) else values[i] for i in range(0, len(values), 2)]
    return values[0]
