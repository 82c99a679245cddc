"""The eurorack-pmod's 8 signals: the platform resource, and their wiring to the driver, defined once.

Pin roles (``docs/eurorack-pmod.md`` §3, FPGA side with the shipped ribbon): SDIN1 = FPGA ->
codec DAC data, SDOUT1 = codec ADC data -> FPGA, LRCK, BICK and MCLK are clocks the FPGA drives, SCL/SDA
the shared open-drain I2C bus (no FPGA pull: the module has its own pull-ups), PDN = codec
power-down/reset, HIGH = on. LVCMOS33 with DRIVE=8: in the 192 kHz mode BICK toggles at 24.6 MHz, 4x the
rate the public 48 kHz designs run, so the stronger of the two drive strengths they use.

* :func:`codec_resource` builds the ``eurorack_pmod`` 0 resource a board's platform carries, from
  PMOD-numbered pins of a connector (ECPIX-5: ``conn=("pmod", 0)``) or from ball names (Colorlight i5).
* :func:`connect_codec_pins` wires :class:`.pmod.EurorackPmod`'s pin ports to that resource: SDIN1, LRCK,
  BICK and SDOUT1 in I/O flip-flops clocked by ``audio`` (BICK runs at 24.6 MHz; the driver is then built
  with ``sdout_sample_offset=2`` for the two cycles this adds to SDOUT1), MCLK, PDN and I2C through
  plain buffers (MCLK's phase is not critical, PDN and I2C are slow). This is every board's default
  (``BoardSpec.connect_codec``); a board with other pads supplies its own function.
* :data:`pads_signature` and :func:`connect_sim_pads` are the same pads for simulation: plain signals the
  bus models drive and watch, behind one ``audio`` register per pin where the hardware has I/O
  flip-flops.
"""

from __future__ import annotations

from amaranth.build import Attrs, Pins, Resource, Subsignal
from amaranth.hdl import ClockSignal, Module
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["CODEC_SIGNALS", "IO_REGISTERED", "RIBBON_PMOD_PINS", "codec_resource", "connect_codec_pins",
           "connect_sim_pads", "pads_signature"]

#: Signal name -> direction seen from the FPGA, in PMOD-ribbon order.
CODEC_SIGNALS = {
    "sdin1": "o", "sdout1": "i", "lrck": "o", "bick": "o",
    "scl": "io", "sda": "io", "pdn": "o", "mclk": "o",
}
#: Standard PMOD pin numbers (1-4 top row, 7-10 bottom) with the shipped ribbon cable.
RIBBON_PMOD_PINS = {"sdin1": 1, "sdout1": 2, "lrck": 3, "bick": 4, "scl": 7, "sda": 8, "pdn": 9, "mclk": 10}
#: The fast pins, placed in I/O flip-flops clocked by ``audio``.
IO_REGISTERED = ("sdin1", "lrck", "bick", "sdout1")

_OUTPUTS = tuple(name for name, direction in CODEC_SIGNALS.items() if direction == "o")
_INPUTS = tuple(name for name, direction in CODEC_SIGNALS.items() if direction == "i")
_OPEN_DRAIN = tuple(name for name, direction in CODEC_SIGNALS.items() if direction == "io")

#: The pads as the FPGA sees them (``Out`` = driven by the FPGA): the driver's pin ports, with each
#: open-drain line as its output enable (pulls low) and its input (reads high when released).
pads_signature = wiring.Signature({
    **{name: Out(1) for name in _OUTPUTS},
    **{name: In(1) for name in _INPUTS},
    **{f"{name}_oe": Out(1) for name in _OPEN_DRAIN},
    **{f"{name}_i": In(1, init=1) for name in _OPEN_DRAIN},
})


def codec_resource(pins: dict[str, str], conn: tuple[str, int] | None = None, *, drive: str = "8",
                   slew: str | None = None) -> Resource:
    """``pins``: signal -> ball name (or, with ``conn``, the connector pin number as a string). ``drive``
    (mA) and ``slew`` (``SLEWRATE``, the ECP5 default when None) apply to the FPGA's outputs."""
    missing = set(CODEC_SIGNALS) - set(pins)
    if missing:
        raise ValueError(f"codec pins missing for {sorted(missing)}")
    output_attrs = {"DRIVE": drive, **({"SLEWRATE": slew} if slew is not None else {})}
    subsignals = []
    for name, direction in CODEC_SIGNALS.items():
        if direction == "io":
            attrs = Attrs(PULLMODE="NONE")
        elif direction == "o":
            attrs = Attrs(**output_attrs)
        else:
            attrs = Attrs()
        subsignals.append(Subsignal(name, Pins(pins[name], dir=direction, conn=conn), attrs))
    return Resource("eurorack_pmod", 0, *subsignals, Attrs(IO_TYPE="LVCMOS33"))


def connect_codec_pins(m: Module, platform, pmod, *, io_registers: bool, pdn=None) -> None:
    """Request the ``eurorack_pmod`` resource and wire ``pmod``'s pin ports to it. I2C is open drain: the
    pad's output is the driver's (always 0) output and its enable pulls the line low; released lines
    float high on the module's pull-ups. ``pdn``: what drives the PDN pad instead of ``pmod.pdn`` (a board
    whose PDN line goes through its own logic, e.g. Tiliqua's latch)."""
    registered = IO_REGISTERED if io_registers else ()
    pins = platform.request("eurorack_pmod", 0, xdr={name: 1 for name in registered})
    for name in registered:
        pad = getattr(pins, name)
        clk = pad.i_clk if name in _INPUTS else pad.o_clk
        m.d.comb += clk.eq(ClockSignal("audio"))
    for name in _OUTPUTS:
        source = pdn if name == "pdn" and pdn is not None else getattr(pmod, name)
        m.d.comb += getattr(pins, name).o.eq(source)
    for name in _INPUTS:
        m.d.comb += getattr(pmod, name).eq(getattr(pins, name).i)
    for name in _OPEN_DRAIN:
        pad = getattr(pins, name)
        m.d.comb += [
            pad.o.eq(getattr(pmod, f"{name}_o")),
            pad.oe.eq(getattr(pmod, f"{name}_oe")),
            getattr(pmod, f"{name}_i").eq(pad.i),
        ]


def connect_sim_pads(m: Module, pads, pmod, *, io_registers: bool) -> None:
    """Simulation stand-in for the pads (``pads`` has :data:`pads_signature`, seen from inside): plain
    wires, or one ``audio`` register for each pin the hardware puts in an I/O flip-flop."""
    for name in (*_OUTPUTS, *_INPUTS):
        src, dst = (getattr(pads, name), getattr(pmod, name)) if name in _INPUTS else \
            (getattr(pmod, name), getattr(pads, name))
        domain = m.d.audio if io_registers and name in IO_REGISTERED else m.d.comb
        domain += dst.eq(src)
    for name in _OPEN_DRAIN:
        m.d.comb += [getattr(pads, f"{name}_oe").eq(getattr(pmod, f"{name}_oe")),
                     getattr(pmod, f"{name}_i").eq(getattr(pads, f"{name}_i"))]
