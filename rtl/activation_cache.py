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
* ``data`` follows ``tap``/``channel`` by :data:`READ_LATENCY` = 4 cycles: the RAM's read, two plain
  registers on the RAM output (the RAM's clock-to-out is the slowest delay on ECP5, so nothing else
  shares its cycle), then the tap-0 mux into the output register; on the tap-0 side the registered
  index, the two selection steps, then the same output register.

The causal zero padding of docs/arithmetic.md needs an empty history after every reset, not only at
configuration: after ``rst`` the cache writes zeros to every RAM word, one per cycle (``clear_cycles``),
and holds ``ready`` low meanwhile, so a simulation or a board can reset and start again bit-exactly.
"""

from __future__ import annotations

from typing import NamedTuple

from amaranth.hdl import Cat, Const, Module, Mux, Signal
from amaranth.lib import memory, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from common.config import ModelConfig

from .select import select
from .timing import HISTORY_READ_LATENCY
from .types import SampleVector, sample_shape

__all__ = ["READ_LATENCY", "ActivationCache"]

#: Cycles from ``tap``/``channel`` to ``data``.
READ_LATENCY = HISTORY_READ_LATENCY
#: Tap 0's first selection step picks one of ``2**TAP0_GROUP_BITS`` words (one LUT level, PFU mux included).
TAP0_GROUP_BITS = 2


class Tap0(NamedTuple):
    """Tap 0's read, three cycles after ``tap``/``channel`` (:meth:`ActivationCache._tap0`)."""

    #: The read was of tap 0.
    newest: Signal
    #: Its channel.
    channel: Signal
    #: ``current[channel]``: the word read, and the word written into the RAM's newest slot.
    word: Signal


class Addresses(NamedTuple):
    """The RAM's ports as driven (:meth:`ActivationCache._addresses`): ``{slot, channel}`` words."""

    read_address: Signal
    #: The current write slot's word whenever the RAM is not being cleared.
    write_address: Signal
    write_enable: Signal


class ActivationCache(wiring.Component):
    """A layer's history in block RAM, read as :class:`~rtl.shift_buffer.ShiftBuffer` is (same ports, same
    read latency; module docstring: the storage and the read path).

    Parameters
    ----------
    config : ModelConfig
        The data format of the samples.
    channels, kernel_size, dilation : int
        The layer's input channels and its kernel.

    Ports
    -----
    push : In(stream.Signature(SampleVector(config, channels), always_ready=True))
        The next input vector: the newest, in ``current``; the write slot moves on.
    tap : In(range(kernel_size)), channel : In(range(channels))
        What to read: tap ``k`` is the vector ``(kernel_size - 1 - k) * dilation`` pushes back.
    data : Out(sample_shape(config))
        That sample, :data:`READ_LATENCY` cycles after ``tap``/``channel``.
    ready : Out(1)
        0 while the RAM is cleared after reset (``clear_cycles``), then 1."""

    def __init__(self, config: ModelConfig, channels: int, kernel_size: int, dilation: int):
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
        super().__init__({
            "push": In(stream.Signature(SampleVector(config, channels), always_ready=True)),
            "tap": In(range(kernel_size)),
            "channel": In(range(channels)),
            "data": Out(sample_shape(config)),
            "ready": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        current = self._current(m)
        tap0 = self._tap0(m, current)
        if self.history == 0:
            m.d.comb += self.ready.eq(1)
            m.d.sync += self.data.eq(tap0.word)
            return m
        clearing, clear_address = self._clearing(m)
        addresses = self._addresses(m, tap0, clearing, clear_address)
        self._ram(m, tap0, clearing, addresses)
        return m

    def _current(self, m):
        """The newest vector, ``current``: in the push cycle without a history, otherwise a cycle later from
        the staging register, under an enable register per word."""
        # Data registers without a reset (each is written before it is read; the reset net stays small).
        # The RAM is cleared after reset instead (:meth:`_clearing`).
        current = Signal(SampleVector(self.config, self.channels), reset_less=True)
        if self.history == 0:
            with m.If(self.push.valid):
                m.d.sync += current.eq(self.push.payload)
            return current
        # the registered enable as one copy per word (``*_replica``, kept apart in synthesis,
        # ``boards/toolchain/runner.py``): one enable register for all Cin words was a long route on a 25F
        staged = Signal(SampleVector(self.config, self.channels), reset_less=True)
        m.d.sync += staged.eq(self.push.payload)
        for c in range(self.channels):
            pushed = Signal(name=f"pushed{c}_replica")
            m.d.sync += pushed.eq(self.push.valid)
            with m.If(pushed):
                m.d.sync += current[c].eq(staged[c])
        return current

    def _tap0(self, m, current) -> Tap0:
        """Tap 0 from ``current`` in registered steps: the channel index is registered first (a register of
        its own that drives only this multiplexer), then one of each group of ``2**TAP0_GROUP_BITS`` words is
        selected by its low bits, then one of the groups by its high bits. ``current`` is Cin words spread
        over the lanes' area: one Cin-way multiplexer behind one register was the slowest path of the 25F's
        largest network (a long route from the index register, then four LUT levels)."""
        shape = sample_shape(self.config)
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
        return Tap0(newest_ddd, channel_ddd, current_ddd)

    def _clearing(self, m):
        """After reset every RAM word is written with zero, one per cycle, while ``ready`` is low (the causal
        zero padding after every reset). Returns (clearing, the word being cleared)."""
        words = self.clear_cycles
        clearing = Signal(init=1)
        clear_addr = Signal(range(words))
        with m.If(clearing):
            m.d.sync += clear_addr.eq(clear_addr + 1)
            with m.If(clear_addr == words - 1):
                m.d.sync += clearing.eq(0)
        m.d.comb += self.ready.eq(~clearing)
        return clearing, clear_addr

    def _addresses(self, m, tap0: Tap0, clearing, clear_address) -> Addresses:
        """The ring's pointer and the RAM's addresses. A read of tap ``k`` addresses the slot ``(K - 1 - k) *
        dilation`` behind the write slot; the newest vector goes into the RAM three cycles after each tap-0
        read, from the register that holds its selected word; the layer never pushes in between (its next
        push comes after the pipeline behind its last read has drained, ``LAYER_OVERHEAD_CYCLES``)."""
        address_bits = max(1, self.slot_bits + self.channel_bits)
        read_address = Signal(address_bits)
        write_address = Signal(address_bits)
        write_enable = Signal()
        write_slot = Signal(self.slot_bits)
        with m.If(self.push.valid):
            m.d.sync += write_slot.eq(write_slot + 1)
        channel = self.channel[:self.channel_bits]
        back = select([Const(j * self.dilation, self.slot_bits + 1) for j in range(self.kernel_size)], self.tap)
        read_slot = (write_slot - back)[:self.slot_bits]
        m.d.comb += [
            read_address.eq(Cat(channel, read_slot)),
            write_address.eq(Mux(clearing, clear_address, Cat(tap0.channel[:self.channel_bits], write_slot))),
            write_enable.eq(clearing | tap0.newest),
        ]
        return Addresses(read_address, write_address, write_enable)

    def _ram(self, m, tap0: Tap0, clearing, addresses: Addresses) -> None:
        """The RAM (zeros while clearing, else tap 0's word), and ``data``: its read through two plain
        registers (the RAM's clock-to-out is the slowest delay on ECP5, so nothing else shares its cycle), or
        tap 0's word, into the output register."""
        shape = sample_shape(self.config)
        # Always a block RAM (yosys would put a short history in LUT RAM): the plan's resource estimate
        # counts one per 1024 words, and LUTs stay for logic.
        m.submodules.ram = ram = memory.Memory(shape=shape, depth=self.clear_cycles, init=[],
                                               attrs={"ram_style": "block"})
        write = ram.write_port()
        read = ram.read_port(domain="sync")
        m.d.comb += [
            read.addr.eq(addresses.read_address),
            write.addr.eq(addresses.write_address),
            write.data.eq(Mux(clearing, 0, tap0.word)),
            write.en.eq(addresses.write_enable),
        ]
        ram_q = Signal(shape, reset_less=True)
        ram_qq = Signal(shape, reset_less=True)
        m.d.sync += [ram_q.eq(read.data), ram_qq.eq(ram_q), self.data.eq(Mux(tap0.newest, tap0.word, ram_qq))]
