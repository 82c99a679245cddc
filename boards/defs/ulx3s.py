"""Radiona ULX3S 85F (LFE5U-85F, CABGA381, speed 6): codec pins **UNVERIFIED ON PAPER**.

A thin layer over amaranth-boards' :class:`ULX3S_85F_Platform`. The eurorack-pmod project has no ULX3S
pinmap and amaranth-boards defines no PMOD connector for it, only ``gpio`` 0 (GP/GN 0-27). The codec is
placed on candidate pins of J1 in PMOD-ribbon order: pins 1-4 (SDIN1 SDOUT1 LRCK BICK) on GP0-GP3 (balls
B11 A10 A9 B9) and pins 7-10 (SCL SDA PDN MCLK) on GN0-GN3 (C11 A11 B10 C10). **Which header positions form
a PMOD with GND/3V3 in the right places, and their order, has not been checked against the ULX3S schematic;
check before wiring.** The platform's openFPGALoader requirement is dropped so a build needs no programmer.
"""

from __future__ import annotations

from amaranth_boards.ulx3s import ULX3S_85F_Platform

from common.devices import ecp5_device

from ..clocking.pll import search_pll
from ..eurorack_pmod.pins import codec_resource
from ..eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from ..registry import BoardSpec, SerialLink, register

__all__ = ["BOARD", "ULX3SCodecPlatform"]

CLOCK_IN_HZ = 25_000_000
SYNC_TARGET_HZ = 100_000_000
#: The network's own clock (CLKOS2): 540 MHz / 5 = 108 MHz, as on the Colorlight i5 (same speed grade 6).
NETWORK_TARGET_HZ = 110_000_000
PLL = search_pll(CLOCK_IN_HZ, SYNC_TARGET_HZ, CODEC_SAMPLE_RATE_HZ, network_target_hz=NETWORK_TARGET_HZ)

#: Candidate balls (amaranth-boards' gpio 0 connector), unverified as a PMOD position.
CODEC_BALLS = {"sdin1": "B11", "sdout1": "A10", "lrck": "A9", "bick": "B9",
               "scl": "C11", "sda": "A11", "pdn": "B10", "mclk": "C10"}


class ULX3SCodecPlatform(ULX3S_85F_Platform):
    """ULX3S 85F with the eurorack-pmod on candidate GPIO pins (unverified)."""

    resources = [*ULX3S_85F_Platform.resources, codec_resource(CODEC_BALLS)]

    @property
    def required_tools(self):
        # amaranth-boards lists openFPGALoader even when only building; flashing checks for it itself.
        return [tool for tool in super().required_tools if tool != "openFPGALoader"]


BOARD = register(BoardSpec(
    "ulx3s", ecp5_device("LFE5U-85F", "CABGA381", 6), PLL,
    platform=ULX3SCodecPlatform, clock_resource="clk25", reset_resource=None,
    openfpgaloader_args=("-b", "ulx3s"),
    codec_connection="UNVERIFIED candidate pins on J1 GP0-3 / GN0-3 (balls B11 A10 A9 B9 / C11 A11 B10 C10)",
    codec_pins_verified=False,
    notes=("codec pin positions on the ULX3S are unverified on paper: check the schematic before wiring",),
    # FT231X: a full-speed part limited to 3 Mbaud.
    serial_link=SerialLink("FT231X", 3_000_000, "FT231X datasheet maximum"),
))
