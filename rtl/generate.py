"""Verilog and RTLIL of the signal path (front end and cached network), for the cocotb simulation and the builds.

``generate_verilog(net, plan, name="network", debug=False)`` returns one self-contained Verilog module of
:class:`~rtl.waveshaper.Waveshaper` (weights and biases are the initial contents of its coefficient
memories: no ``$readmemh`` files); ``generate_rtlil`` returns the same design as RTLIL, yosys' own netlist
format, which is what synthesis reads: yosys' Verilog front end spends minutes on the ``initial`` blocks of
a large network's memories (each word one assignment), while RTLIL carries each memory's contents as one
constant and reads in about a second. ``template=seed`` builds the design with random coefficient words
instead of ``net``'s (``rtl.coefficients.template_images``): the same hardware, ready to have any weights
patched in. The ports:

=====================  =====  ==========================================================================
port                   dir    meaning
=====================  =====  ==========================================================================
``clk``                in     clock of everything (rising edge)
``rst``                in     synchronous reset, active high; then the histories clear (zero padding)
``i__valid``           in     an input vector is offered
``i__ready``           out    the network takes it on this cycle (``valid & ready`` = transfer)
``i__payload``         in     the jack roles (``common.roles.jack_roles``) x ``data_format.width`` bits
``o__valid``           out    an output vector is offered (held until taken)
``o__ready``           in     the consumer takes it on this cycle
``o__payload``         out    ``n_outputs`` x ``data_format.width`` bits, channel 0 in the LSBs
``layer{i}__valid``    out    debug only: layer ``i``'s output vector is transferred on this cycle
``layer{i}__payload``  out    debug only: that vector, ``filters_i`` x ``data_format.width`` bits
=====================  =====  ==========================================================================

After ``rst`` (and at start-up), ``i__ready`` stays low for ``plan.reset_cycles`` cycles while the
block-RAM caches clear themselves. All values are two's-complement ``data_format`` codes
(docs/arithmetic.md). One output vector per input vector, in order; the output for input ``t`` comes
``plan.latency_cycles`` after its input was accepted when the pipeline is not stalled, and inputs are
accepted every ``plan.cycles_per_sample`` cycles at best.
"""

from __future__ import annotations

from pathlib import Path

from amaranth.back import rtlil, verilog

from quantize.weights import QuantizedNetwork

from .plan import Plan
from .waveshaper import Waveshaper

__all__ = ["generate_rtlil", "generate_verilog", "write_rtl"]


def generate_verilog(net: QuantizedNetwork, plan: Plan, *, name: str = "network", debug: bool = False,
                     template: int | None = None) -> str:
    return verilog.convert(Waveshaper(net, plan, debug=debug, template=template), name=name)


def generate_rtlil(net: QuantizedNetwork, plan: Plan, *, name: str = "network", debug: bool = False,
                   template: int | None = None) -> str:
    return rtlil.convert(Waveshaper(net, plan, debug=debug, template=template), name=name)


def write_rtl(net: QuantizedNetwork, plan: Plan, out: str | Path, *, name: str = "network",
              debug: bool = False) -> tuple[Path, Path]:
    """Write ``<out>/network.v`` and ``<out>/plan.json`` (what ``make rtl`` produces) for a checked plan;
    returns both paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    verilog_path, plan_path = out / "network.v", out / "plan.json"
    verilog_path.write_text(generate_verilog(net, plan, name=name, debug=debug))
    plan.to_json(plan_path)
    return verilog_path, plan_path
