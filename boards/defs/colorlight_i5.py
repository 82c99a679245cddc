"""Colorlight i5 (LFE5U-25F, CABGA381, speed 6) on its extension board.

amaranth-boards has no released platform for it (two unmerged PRs disagree on the P2A row order), so a
small platform is defined here with only what the design needs: the 25 MHz oscillator (ball P3) and the
codec pins **by ball name** from the eurorack-pmod project's i5 pinmap, which is proven on hardware:
SDIN1 P17, SDOUT1 R18, LRCK C18, BICK U16, SCL M17, SDA R17, PDN T18, MCLK K18 (``docs/eurorack-pmod.md``
§9). No reset button is used (M18 is the only button; the PLL lock releases reset).
"""

from __future__ import annotations

from amaranth.build import Attrs, Clock, Pins, Resource
from amaranth.vendor import LatticeECP5Platform

from common.devices import ecp5_device

from ..clocking.pll import search_pll
from ..eurorack_pmod.pins import codec_resource
from ..eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from ..registry import BoardSpec, SerialLink, register

__all__ = ["BOARD", "ColorlightI5CodecPlatform"]

DEVICE = ecp5_device("LFE5U-25F", "CABGA381", 6)
CLOCK_IN_HZ = 25_000_000
SYNC_TARGET_HZ = 100_000_000
#: The network's own clock (CLKOS2): the fastest VCO division not above this, 540 MHz / 5 = 108 MHz
#: (speed grade 6; the 9k-parameter network of configs/colorlight_i5.toml meets it in the full design).
NETWORK_TARGET_HZ = 110_000_000
PLL = search_pll(CLOCK_IN_HZ, SYNC_TARGET_HZ, CODEC_SAMPLE_RATE_HZ, network_target_hz=NETWORK_TARGET_HZ)

CODEC_BALLS = {"sdin1": "P17", "sdout1": "R18", "lrck": "C18", "bick": "U16",
               "scl": "M17", "sda": "R17", "pdn": "T18", "mclk": "K18"}


class ColorlightI5CodecPlatform(LatticeECP5Platform):
    """Colorlight i5 v7.0 module: oscillator and eurorack-pmod pins only."""

    device = DEVICE.part
    package = DEVICE.amaranth_package
    speed = str(DEVICE.speed)
    default_clk = "clk25"
    resources = [
        Resource("clk25", 0, Pins("P3", dir="i"), Clock(CLOCK_IN_HZ), Attrs(IO_TYPE="LVCMOS33")),
        codec_resource(CODEC_BALLS),
    ]
    connectors = []

    def toolchain_prepare(self, fragment, name, **kwargs):
        overrides = dict(ecppack_opts="--compress")
        overrides.update(kwargs)
        return super().toolchain_prepare(fragment, name, **overrides)


BOARD = register(BoardSpec(
    "colorlight_i5", DEVICE, PLL,
    platform=ColorlightI5CodecPlatform, clock_resource="clk25", reset_resource=None,
    openfpgaloader_args=("-b", "colorlight-i5"),
    codec_connection="extension board header P2A via the ribbon, pins by ball name",
    codec_pins_verified=True,
    # The extension board's USB-serial bridge is not documented in docs/; 3 Mbaud is a conservative guess.
    serial_link=SerialLink("unknown USB-UART (unverified)", 3_000_000, "unverified guess"),
))
