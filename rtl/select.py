"""``select(options, index)``: pick one of several values by a run-time index, as a tree of 2:1 muxes.

Amaranth turns ``Array(...)[index]`` into a ``case`` statement inside a Verilog ``always @*`` block. A
4-state event-driven simulator (Icarus Verilog) only runs such a block when one of the signals it reads
changes; the time-0 run that yosys tries to force (an ``if`` on a dummy register initialised to 0) did
not happen under Icarus 11 in the generated networks (observed in the waveform: the block's output X from
time 0 while every input was defined). A selection whose index and options keep their reset value until
they are first used (the bias of group 0, the tap/channel of the first step after reset) then stays X,
and the X reaches the accumulator. A 2:1 ``Mux`` becomes a continuous ``assign ... ? ... : ...``,
which every simulator evaluates at time 0, so the tree is X-free from the start. In hardware it is the
same selection (yosys maps either form onto LUTs/PFUMX), and Verilator (2-state) never saw a difference.

Like ``Array``, an index past the last option selects the last option (the tree is padded with it).
"""

from __future__ import annotations

from collections.abc import Sequence

from amaranth.hdl import Mux, Value, ValueCastable

__all__ = ["select"]


def select(options: Sequence, index: Value) -> Value:
    """``options[index]`` built from ``Mux`` on the index bits, least significant bit first."""
    options = [_value(option) for option in options]
    if not options:
        raise ValueError("select() needs at least one option")
    index = Value.cast(index)
    if len(options) == 1 or len(index) == 0:  # an index that can only be 0 (range(1)): no logic at all
        return options[0]
    size = 1 << len(index)
    options = options[:size] + [options[-1]] * (size - len(options))
    bit = 0
    while len(options) > 1:
        options = [Mux(index[bit], odd, even) for even, odd in zip(options[0::2], options[1::2], strict=True)]
        bit += 1
    return options[0]


def _value(option) -> Value:
    return option.as_value() if isinstance(option, ValueCastable) else Value.cast(option)
