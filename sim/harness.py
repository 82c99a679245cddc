"""The Verilog test harness that lets the clock run inside the simulator.

Why: under cocotb every awaited trigger costs tens of microseconds of Python, while a compiled Verilator
model runs about a million clock cycles per second. So the harness makes ``clk`` itself (``always``
with a delay: Verilator ``--timing``), holds ``o__ready`` high, and Python acts once per *sample*:

* Python writes ``in_payload`` and flips ``in_toggle``; on the next rising edge the vector enters an
  input FIFO, which feeds ``i__valid``/``i__payload`` while ``run`` is high. Before ``run``, Python queues
  ``lead`` vectors (one per cycle); afterwards each output triggers exactly one new input, so ``lead``
  samples stay in flight: with enough of them the network runs back to back at its initiation interval,
  as on the board; with ``lead = 1`` the run is strictly serial.
* On ``o__valid`` the harness latches ``o__payload`` and one cycle later flips ``out_toggle``, so every
  latched value is settled when the value-change callback reads it, on every simulator. With debug
  ports it also latches the last vector on each ``layer{i}__payload`` (that sample's, in a serial run)
  and counts the strobes.
* It measures, in cycles, what the plan promises: ``latency`` (a sample's input handshake to its output,
  via a FIFO of accept times) and ``interval`` (between the two latest input handshakes). A watchdog
  reports ``timed_out`` when work is outstanding and no output comes, so a hung design fails fast;
  ``overrun`` flags an input FIFO overflow or outputs too close together to report.

Several designs can share one build (compiling dominates short runs): each gets a harness core, and the
``select`` input, written once before the first sample, picks the one a run talks to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CLOCKS", "HARNESS_TOP", "HarnessError", "NetworkPorts", "generate_core", "generate_harness", "read_ports",
           "write_harness"]

#: Module name of the harness: the simulator's top level.
HARNESS_TOP = "sim_top"
#: Half a clock period in harness time units (``timescale 1ns/1ps``): a 100 MHz simulated clock.
HALF_PERIOD_NS = 5


class HarnessError(ValueError):
    """The design under test does not have the ports the harness needs."""


@dataclass(frozen=True)
class NetworkPorts:
    """Port widths of a network module with the stream interface ``rtl.generate`` promises."""

    module: str
    in_width: int
    out_width: int
    #: Width of ``layer{i}__payload`` for each debug layer port, in layer order (empty without debug).
    layer_widths: tuple[int, ...] = field(default_factory=tuple)

    @property
    def has_debug(self) -> bool:
        return bool(self.layer_widths)


_PORT_RE = re.compile(
    r"^\s*(input|output)\s+(?:wire\s+|reg\s+)?(?:signed\s+)?(?:\[\s*(\d+)\s*:\s*(\d+)\s*\]\s*)?"
    r"([A-Za-z_][A-Za-z0-9_$]*)\s*[;,)]", re.MULTILINE)


def _module_body(verilog: str, module: str) -> str:
    match = re.search(rf"^\s*module\s+{re.escape(module)}\s*[(#;]", verilog, re.MULTILINE)
    if match is None:
        found = re.findall(r"^\s*module\s+(\S+?)\s*[(#;]", verilog, re.MULTILINE)
        raise HarnessError(f"module {module!r} not found in the Verilog (modules: {', '.join(found) or 'none'})")
    end = verilog.find("endmodule", match.end())
    return verilog[match.start():end if end >= 0 else len(verilog)]


def read_ports(verilog: str, module: str = "network") -> NetworkPorts:
    """Find the stream ports of ``module`` in Amaranth/yosys-emitted Verilog and check they are complete."""
    body = _module_body(verilog, module)
    ports: dict[str, tuple[str, int]] = {}
    for direction, msb, lsb, name in _PORT_RE.findall(body):
        width = abs(int(msb) - int(lsb)) + 1 if msb else 1
        ports[name] = (direction, width)
    required = {"clk": "input", "rst": "input", "i__valid": "input", "i__ready": "output",
                "i__payload": "input", "o__valid": "output", "o__ready": "input", "o__payload": "output"}
    for name, direction in required.items():
        if name not in ports:
            raise HarnessError(f"module {module!r} has no port {name!r} (ports: {', '.join(sorted(ports))})")
        if ports[name][0] != direction:
            raise HarnessError(f"port {name!r} of {module!r} is an {ports[name][0]}, expected {direction}")
    layer_widths = []
    while f"layer{len(layer_widths)}__payload" in ports:
        i = len(layer_widths)
        if f"layer{i}__valid" not in ports:
            raise HarnessError(f"debug port layer{i}__payload has no layer{i}__valid")
        layer_widths.append(ports[f"layer{i}__payload"][1])
    return NetworkPorts(module, ports["i__payload"][1], ports["o__payload"][1], tuple(layer_widths))


_BODY = """
  // -- input FIFO: Python pushes one vector per in_toggle flip; the network drains it while `run` ---------
  localparam DEPTH = @DEPTH@;
  reg [@IN_MSB@:0] fifo [0:DEPTH-1];
  reg [@PTR_MSB@:0] wr_ptr = 0, rd_ptr = 0;
  wire fifo_empty = wr_ptr == rd_ptr;
  wire fifo_full = wr_ptr == {~rd_ptr[@PTR_MSB@], rd_ptr[@PTR_MSB@-1:0]};
  reg seen_toggle = 0;
  assign i_valid = run && !fifo_empty;
  assign i_payload = fifo[rd_ptr[@PTR_MSB@-1:0]];
  wire accept = i_valid && i_ready;
  integer slot;
  initial for (slot = 0; slot < DEPTH; slot = slot + 1) fifo[slot] = 0;  // no X on i__payload, ever

  // -- accept times of the samples in flight, to measure each sample's latency ---------------------------
  reg [31:0] stamp [0:DEPTH-1];
  initial for (slot = 0; slot < DEPTH; slot = slot + 1) stamp[slot] = 0;
  reg [@PTR_MSB@:0] stamp_wr = 0, stamp_rd = 0;
  reg [31:0] last_accept = 0;
  reg accepted_any = 0;
  reg [31:0] watchdog = 0;             // cycles without an output while work is outstanding
  reg publish = 0;                     // flip out_toggle next cycle (values settle first)
  wire outstanding = !fifo_empty || stamp_wr != stamp_rd;

  always @(posedge clk) if (!rst) begin
    cycle <= cycle + 1;
    publish <= 0;
    if (publish) out_toggle <= ~out_toggle;
    if (in_toggle != seen_toggle) begin
      seen_toggle <= in_toggle;
      if (fifo_full) overrun <= 1;
      fifo[wr_ptr[@PTR_MSB@-1:0]] <= in_payload;
      wr_ptr <= wr_ptr + 1;
    end
    if (accept) begin
      rd_ptr <= rd_ptr + 1;
      stamp[stamp_wr[@PTR_MSB@-1:0]] <= cycle;
      stamp_wr <= stamp_wr + 1;
      last_accept <= cycle;
      accepted_any <= 1;
      if (accepted_any) interval <= cycle - last_accept;
    end
@LATCH@    if (o_valid) begin
      if (publish) overrun <= 1;       // outputs closer than 2 cycles: Python could miss one
      out_payload <= o_payload;
      latency <= cycle - stamp[stamp_rd[@PTR_MSB@-1:0]];
      stamp_rd <= stamp_rd + 1;
      outputs <= outputs + 1;
      publish <= 1;
      watchdog <= 0;
    end else if (run && outstanding) begin
      watchdog <= watchdog + 1;
      if (watchdog == @TIMEOUT@) begin
        timed_out <= 1;
        publish <= 1;
      end
    end
  end
endmodule
"""


CLOCKS = {
    # The textbook clock: two simulator time steps per cycle.
    "toggle": f"""  reg clk = 0;
  always #{HALF_PERIOD_NS} clk = ~clk;
""",
    # One time step per cycle: clk rises (blocking, so every posedge process runs) and falls again in the
    # NBA region of the same step, together with the flip-flop updates. Nothing in the design is
    # sensitive to the falling edge, so each step is exactly one clock cycle; under Verilator this halves
    # the per-step scheduling cost that dominates the run time.
    "pulse": f"""  reg clk = 0;
  always #{2 * HALF_PERIOD_NS} clk = 1'b1;
  always @(posedge clk) clk <= 1'b0;
""",
}


def generate_core(ports: NetworkPorts, name: str, *, timeout_cycles: int = 100_000, fifo_depth: int = 16) -> str:
    """Verilog of one harness core ``name`` around ``ports.module``: input FIFO, measurements, output latch."""
    if fifo_depth < 2 or fifo_depth & (fifo_depth - 1):
        raise ValueError(f"fifo_depth must be a power of two >= 2, got {fifo_depth}")
    layers = range(len(ports.layer_widths))
    debug_outputs = "".join(
        f"    output reg [{w - 1}:0] layer{i}_latched = 0,\n"
        f"    output reg [31:0] layer{i}_count = 0,\n" for i, w in enumerate(ports.layer_widths))
    debug_wires = "".join(
        f"  wire layer{i}_valid;\n  wire [{w - 1}:0] layer{i}_payload;\n" for i, w in enumerate(ports.layer_widths))
    debug_conns = "".join(
        f",\n    .layer{i}__valid(layer{i}_valid), .layer{i}__payload(layer{i}_payload)" for i in layers)
    debug_latch = "".join(
        f"    if (layer{i}_valid) begin layer{i}_latched <= layer{i}_payload; "
        f"layer{i}_count <= layer{i}_count + 1; end\n" for i in layers)
    body = (_BODY.replace("@LATCH@", debug_latch).replace("@TIMEOUT@", str(int(timeout_cycles)))
            .replace("@DEPTH@", str(fifo_depth)).replace("@PTR_MSB@", str(fifo_depth.bit_length() - 1))
            .replace("@IN_MSB@", str(ports.in_width - 1)))
    return f"""
// Harness core for {ports.module}: an input FIFO fed once per Python action, measurements, output latch.
module {name} (
    input wire clk,
    input wire rst,
    input wire [{ports.in_width - 1}:0] in_payload,
    input wire in_toggle,
    input wire run,
    output reg out_toggle = 0,
    output reg [{ports.out_width - 1}:0] out_payload = 0,
{debug_outputs}    output reg [31:0] outputs = 0,
    output reg [31:0] cycle = 0,
    output reg [31:0] latency = 0,
    output reg [31:0] interval = 0,
    output reg timed_out = 0,
    output reg overrun = 0
);
  wire i_valid, i_ready, o_valid;
  wire [{ports.in_width - 1}:0] i_payload;
  wire [{ports.out_width - 1}:0] o_payload;
{debug_wires}
  {ports.module} dut (
    .clk(clk), .rst(rst),
    .i__valid(i_valid), .i__ready(i_ready), .i__payload(i_payload),
    .o__valid(o_valid), .o__ready(1'b1), .o__payload(o_payload){debug_conns}
  );
{body}"""


_SCALARS = (("out_toggle", 1), ("outputs", 32), ("cycle", 32), ("latency", 32), ("interval", 32),
            ("timed_out", 1), ("overrun", 1))


def generate_harness(designs: NetworkPorts | list[NetworkPorts], *, timeout_cycles: int = 100_000,
                     fifo_depth: int = 16, clock: str = "toggle") -> str:
    """Verilog of :data:`HARNESS_TOP`: the clock, the reset and one core per design; the ``select`` input
    (written once, before the first sample) picks the design a run talks to. Several designs in one
    build share the simulator's compile time, which dominates short test runs."""
    designs = [designs] if isinstance(designs, NetworkPorts) else list(designs)
    if not designs:
        raise ValueError("at least one design is needed")
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
    in_w = max(d.in_width for d in designs)
    out_w = max(d.out_width for d in designs)
    n_layers = max(len(d.layer_widths) for d in designs)
    layer_w = [max(d.layer_widths[i] for d in designs if i < len(d.layer_widths)) for i in range(n_layers)]
    outputs = [(name, width) for name, width in _SCALARS]
    outputs[1:1] = [("out_payload", out_w)]
    for i, w in enumerate(layer_w):
        outputs += [(f"layer{i}_latched", w), (f"layer{i}_count", 32)]
    cores, wires, muxes = [], [], []
    for k, d in enumerate(designs):
        cores.append(generate_core(d, f"sim_core{k}", timeout_cycles=timeout_cycles, fifo_depth=fifo_depth))
        own = dict(_SCALARS) | {"out_payload": d.out_width}
        for i, w in enumerate(d.layer_widths):
            own |= {f"layer{i}_latched": w, f"layer{i}_count": 32}
        conns = [".clk(clk)", ".rst(rst)", f".in_payload(in_payload[{d.in_width - 1}:0])",
                 f".in_toggle(in_toggle & (select == {k}))", f".run(run & (select == {k}))"]
        for name, width in outputs:
            if name in own:  # at the core's own width: the mux below zero-extends (no undriven Z bits)
                wires.append(f"  wire [{own[name] - 1}:0] c{k}_{name};")
                conns.append(f".{name}(c{k}_{name})")
            else:
                wires.append(f"  wire [{width - 1}:0] c{k}_{name} = 0;")
        wires.append(f"  sim_core{k} core{k} ({', '.join(conns)});")
    for name, _width in outputs:
        expr = f"c{len(designs) - 1}_{name}"
        for k in range(len(designs) - 2, -1, -1):
            expr = f"select == {k} ? c{k}_{name} : {expr}"
        muxes.append(f"  assign {name} = {expr};")
    port_lines = [f"    input wire [{in_w - 1}:0] in_payload,", "    input wire in_toggle,", "    input wire run,",
                  "    input wire [7:0] select,"]
    port_lines += [f"    output wire [{width - 1}:0] {name}," for name, width in outputs]
    port_lines.append("    output wire started")
    newline = "\n"
    return f"""`timescale 1ns/1ps
// Generated by sim/harness.py: clock, reset and {len(designs)} harness core(s); `select` picks the design.
module {HARNESS_TOP} (
{newline.join(port_lines)}
);
{CLOCKS[clock]}
  // Synchronous reset for the first cycles, as on the board.
  reg [3:0] reset_count = 0;
  wire rst = reset_count != 4'd15;
  assign started = !rst;
  always @(posedge clk) if (rst) reset_count <= reset_count + 1;

{newline.join(wires)}
{newline.join(muxes)}
endmodule
{"".join(cores)}"""


def write_harness(designs: list[tuple[str | Path, str]], out_path: str | Path, **kwargs) -> list[NetworkPorts]:
    """Read each ``(verilog_path, module)``'s ports and write the harness for all of them to ``out_path``."""
    ports = [read_ports(Path(path).read_text(), module) for path, module in designs]
    Path(out_path).write_text(generate_harness(ports, **kwargs))
    return ports
