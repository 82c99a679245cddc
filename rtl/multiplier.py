"""``Multiplier``: one lane's exact signed product, registered: ``p`` is ``a * b`` of the cycle before.

Simulations and any platform but the ECP5 get the plain description (``p <= a * b``), which yosys maps onto
an ECP5 MULT18X18D with its registers unused, so the product register stays in the fabric: then every
product crosses a route into the DSP block, the multiplier and a route out within one cycle, the slowest
path of the large networks (``docs/toolchain-notes.md``). On an ECP5 platform (``platform.family ==
"ecp5"``, the board builds) the lane instantiates the MULT18X18D itself with its output register enabled
(``REG_OUTPUT_CLK = "CLK0"``, clocked by this domain, always enabled, never reset), so the register sits at
the multiplier's output and the route out starts at a register. The inputs stay unregistered (``REG_INPUTA/
B_CLK = "NONE"``: ``a`` and ``b`` come from the layer's own registers), the operands are sign-extended to
the block's 18 bits and marked signed (``SIGNEDA``/``SIGNEDB``), and ``p`` is the low bits of the 36-bit
result, which holds the exact product: the same cycle, the same value as the plain description. Port and
parameter names are those of the primitive as yosys' ECP5 cell library declares it (``cells_bb_ecp5.v``) and
its own multiplier mapping (``dsp_map_18x18.v``) connects it.
"""

from __future__ import annotations

from amaranth.hdl import ClockSignal, Const, Instance, Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from common.devices import MULTIPLIER_WIDTH

__all__ = ["Multiplier"]


class Multiplier(wiring.Component):
    """One exact signed product, registered: a MULT18X18D with both operands in its input registers on
    the ECP5, ``a * b`` in a register elsewhere.

    Parameters
    ----------
    a_width, b_width : int
        The operands' widths, each at most the multiplier's 18 bits.

    Ports
    -----
    a : In(signed(a_width)), b : In(signed(b_width))
        The operands.
    p : Out(signed(a_width + b_width))
        ``a * b``, one cycle later."""

    def __init__(self, a_width: int, b_width: int):
        for name, width in (("a_width", a_width), ("b_width", b_width)):
            if not 1 <= width <= MULTIPLIER_WIDTH:
                raise ValueError(f"{name}: an operand of the {MULTIPLIER_WIDTH}-bit multiplier, got {width}")
        self.a_width, self.b_width = a_width, b_width
        super().__init__({"a": In(signed(a_width)), "b": In(signed(b_width)), "p": Out(signed(a_width + b_width))})

    def elaborate(self, platform):
        m = Module()
        if getattr(platform, "family", None) != "ecp5":
            product = Signal(signed(self.a_width + self.b_width), reset_less=True)  # read under valid flags only
            m.d.sync += product.eq(self.a * self.b)
            m.d.comb += self.p.eq(product)
            return m
        a = Signal(signed(MULTIPLIER_WIDTH))
        b = Signal(signed(MULTIPLIER_WIDTH))
        p = Signal(2 * MULTIPLIER_WIDTH)
        m.d.comb += [a.eq(self.a), b.eq(self.b), self.p.eq(p[:len(self.p)])]
        ports = {f"i_A{i}": a[i] for i in range(MULTIPLIER_WIDTH)}
        ports |= {f"i_B{i}": b[i] for i in range(MULTIPLIER_WIDTH)}
        ports |= {f"i_C{i}": Const(0) for i in range(MULTIPLIER_WIDTH)}
        ports |= {f"o_P{i}": p[i] for i in range(2 * MULTIPLIER_WIDTH)}
        m.submodules.mult = Instance(
            "MULT18X18D",
            p_REG_INPUTA_CLK="NONE", p_REG_INPUTB_CLK="NONE", p_REG_INPUTC_CLK="NONE",
            p_REG_PIPELINE_CLK="NONE", p_REG_OUTPUT_CLK="CLK0", p_REG_OUTPUT_CE="CE0", p_REG_OUTPUT_RST="RST0",
            p_GSR="DISABLED", p_RESETMODE="SYNC", p_CAS_MATCH_REG="FALSE", p_MULT_BYPASS="DISABLED",
            p_SOURCEB_MODE="B_SHIFT",
            i_SIGNEDA=Const(1), i_SIGNEDB=Const(1), i_SOURCEA=Const(0), i_SOURCEB=Const(0),
            i_CLK0=ClockSignal(), i_CE0=Const(1), i_RST0=Const(0),
            **ports)
        return m
