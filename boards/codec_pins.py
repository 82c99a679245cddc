"""The eurorack-pmod's 8 signals as one amaranth resource, ``eurorack_pmod`` 0.

Pin roles (hardware.md §3, FPGA side with the shipped ribbon): SDIN1 = FPGA -> codec DAC data, SDOUT1 =
codec ADC data -> FPGA, LRCK, BICK and MCLK are clocks the FPGA drives, SCL/SDA the shared open-drain I2C
bus (no FPGA pull: the module has its own pull-ups), PDN = codec power-down/reset, HIGH = on.
LVCMOS33 with DRIVE=8: in the 192 kHz mode BICK toggles at 24.6 MHz, 4x the proven 48 kHz rate, so use
the stronger of the two drive strengths the public designs use.

Every board module builds this resource from either PMOD-numbered pins of a connector (ECPIX-5:
``conn=("pmod", 0)``) or ball names (Colorlight i5, ULX3S).
"""

from __future__ import annotations

from amaranth.build import Attrs, Pins, Resource, Subsignal

__all__ = ["CODEC_SIGNALS", "RIBBON_PMOD_PINS", "codec_resource"]

#: Signal name -> direction, in PMOD-ribbon order.
CODEC_SIGNALS = {
    "sdin1": "o", "sdout1": "i", "lrck": "o", "bick": "o",
    "scl": "io", "sda": "io", "pdn": "o", "mclk": "o",
}
#: Standard PMOD pin numbers (1-4 top row, 7-10 bottom) with the shipped ribbon cable.
RIBBON_PMOD_PINS = {"sdin1": 1, "sdout1": 2, "lrck": 3, "bick": 4, "scl": 7, "sda": 8, "pdn": 9, "mclk": 10}


def codec_resource(pins: dict[str, str], conn: tuple[str, int] | None = None) -> Resource:
    """``pins``: signal -> ball name (or, with ``conn``, the connector pin number as a string)."""
    missing = set(CODEC_SIGNALS) - set(pins)
    if missing:
        raise ValueError(f"codec pins missing for {sorted(missing)}")
    subsignals = []
    for name, direction in CODEC_SIGNALS.items():
        if direction == "io":
            attrs = Attrs(PULLMODE="NONE")
        elif direction == "o":
            attrs = Attrs(DRIVE="8")
        else:
            attrs = Attrs()
        subsignals.append(Subsignal(name, Pins(pins[name], dir=direction, conn=conn), attrs))
    return Resource("eurorack_pmod", 0, *subsignals, Attrs(IO_TYPE="LVCMOS33"))
