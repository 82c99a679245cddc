"""LambdaConcept ECPIX-5 (LFE5UM5G-85F, CABGA554, speed 8): the default board.

A thin layer over amaranth-boards' :class:`ECPIX585Platform`: the eurorack-pmod hangs off PMOD0 through the
shipped ribbon cable. The pins come out as T25 U25 U24 V24 / T26 U26 V26 W26, exactly the balls the
eurorack-pmod project's own ECPIX-5 pinmap uses (``docs/eurorack-pmod.md`` §9), so the mapping is
verified on paper (and, by that project, on hardware). Clock: the 100 MHz oscillator on K23; reset: the
button on AB1.
"""

from __future__ import annotations

from amaranth_boards.ecpix5 import ECPIX585Platform

from common.devices import ecp5_device

from ..clocking.pll import search_pll
from ..eurorack_pmod.pins import RIBBON_PMOD_PINS, codec_resource
from ..eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from ..registry import BoardSpec, SerialLink, register

__all__ = ["BOARD", "ECPIX5CodecPlatform"]

CLOCK_IN_HZ = 100_000_000
SYNC_TARGET_HZ = 100_000_000
#: The network's own clock (CLKOS2): the fastest VCO division not above this, 639.13 MHz / 6 = 106.52 MHz.
#: The next division, /5 = 127.83 MHz, gives the 50k-parameter network of configs/ecpix5.toml no fewer
#: multipliers (its 256-step layers fit two groups per lane at either clock) and less timing slack
#: (boards/README.md, "Clocks").
NETWORK_TARGET_HZ = 110_000_000
PLL = search_pll(CLOCK_IN_HZ, SYNC_TARGET_HZ, CODEC_SAMPLE_RATE_HZ, network_target_hz=NETWORK_TARGET_HZ)


class ECPIX5CodecPlatform(ECPIX585Platform):
    """ECPIX-5 85F with the eurorack-pmod on PMOD0 (ribbon)."""

    resources = [
        *ECPIX585Platform.resources,
        codec_resource({name: str(pin) for name, pin in RIBBON_PMOD_PINS.items()}, conn=("pmod", 0)),
    ]


BOARD = register(BoardSpec(
    "ecpix5", ecp5_device("LFE5UM5G-85F", "CABGA554", 8), PLL,
    platform=ECPIX5CodecPlatform, clock_resource="clk100", reset_resource="rst",
    openfpgaloader_args=("-b", "ecpix5"),
    codec_connection="PMOD0 via the shipped ribbon (pins 1-4: SDIN1 SDOUT1 LRCK BICK; 7-10: SCL SDA PDN MCLK)",
    codec_pins_verified=True,
    notes=("openFPGALoader: the eurorack-pmod project uses -b ecpix5; amaranth-boards uses -c ft2232; "
           "the right FTDI cable may depend on the board revision (unverified).",),
    # The FT2232H's second channel is the board UART (TX ball R24). Hi-speed FTDI parts derive the baud
    # from 120 MHz / (10 x divisor); divisor 1 = 12 Mbaud, the datasheet maximum.
    serial_link=SerialLink("FT2232H (channel B)", 12_000_000,
                           "FT2232H datasheet maximum; not measured on hardware here"),
))
