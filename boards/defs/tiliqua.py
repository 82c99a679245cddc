"""Tiliqua R5 (``tiliqua``) and R4 (``tiliqua_r4``): a SoldierCrab R3 module (LFE5U-25F, CABGA256, speed
6) on the Tiliqua motherboard, with the eurorack-pmod audio board on an internal flat cable.

Facts (``docs/tiliqua.md``, from Tiliqua's public platform definition and documentation; both revisions
share everything used here except the audio board's revision):

* 48 MHz oscillator on A8 -> one EHXPLLL -> ``sync`` at 90 MHz and ``network`` (CLKOS2, the front end and
  the network) at 105 MHz, about the rates the same die and speed grade meets on the Colorlight i5.
* The codec clock comes from an SI5351A (25 MHz crystal) on ball D8 (the motherboard's clkex0). The
  bootloader programs it from the archive's manifest (``clk0_hz`` = 256 x 192 kHz = 49.152 MHz) before it
  starts the bitstream; :func:`~boards.clocking.si5351.si5351_output` gives the frequency it really makes
  (49 151 999.94 Hz, fs -0.0013 ppm). The design measures it and keeps the codec off until it is right.
* Audio flat cable: SDIN1 D7, SDOUT1 C9, LRCK C10, BICK D9, MCLK C15, I2C SDA C16 / SCL B16; LVCMOS33,
  drive 4 mA, slow slew (Tiliqua's settings on R4/R5). The codec's PDN line goes through a latch on the
  motherboard: D on A15, clock on C12 (:class:`~boards.tiliqua.housekeeping.TiliquaHousekeeping`).
* Housekeeping every Tiliqua bitstream keeps: the encoder button (A6, low = pressed) held for 3 s pulls
  PROGRAMN (T13, low = reconfigure, pulled up) to return to the bootloader, which sits at flash offset 0
  (so the bitstream is packed with boot address 0); the SoldierCrab's pseudo-supply balls are driven as
  Tiliqua's platform drives them (high: tied to a supply on the board; low: tied to ground); the RAM
  bank's balls are 1.8 V on the SoldierCrab R3.
* Loading: a bitstream archive (``build/tiliqua/*.tar.gz``: ``top.bit`` + ``manifest.json``) written into
  a slot by Tiliqua's flasher (:mod:`boards.tiliqua.archive`, :mod:`boards.tiliqua.flash`).

Differences R4 / R5 that matter here: the audio board (R4: eurorack-pmod R3.3, whose PDN is the codec's
power-down; R5: R3.5, whose PDN is its output mute) and so the default calibration, and the manifest's
``hw_rev``, which the bootloader checks.
"""

from __future__ import annotations

from functools import partial

from amaranth.build import Attrs, Clock, Pins, PinsN, Resource, Subsignal
from amaranth.vendor import LatticeECP5Platform

from common.devices import ecp5_device

from ..clocking.external_audio import ExternalAudioClockPlan, search_sync_pll
from ..clocking.external_clock_generator import ExternalAudioClockGenerator
from ..clocking.pll import AUDIO_CLOCKS_PER_SAMPLE
from ..clocking.si5351 import si5351_output
from ..eurorack_pmod.calibration import R33_INPUT, R33_OUTPUT
from ..eurorack_pmod.pins import codec_resource, connect_codec_pins
from ..eurorack_pmod.samples import CODEC_SAMPLE_RATE_HZ
from ..registry import BoardSpec, SerialLink, register
from ..tiliqua.archive import TiliquaArchive
from ..tiliqua.flash import flash_instructions
from ..tiliqua.housekeeping import TiliquaHousekeeping

__all__ = ["BOARD", "BOARD_R4", "TiliquaPlatform", "connect_tiliqua_codec", "tiliqua_clocks"]

DEVICE = ecp5_device("LFE5U-25F", "CABGA256", 6)
CLOCK_IN_HZ = 48_000_000
CLOCK_IN_BALL = "A8"
SYNC_TARGET_HZ = 90_000_000
#: The network's own clock (CLKOS2 of the same PLL): 48 MHz -> VCO 630 MHz / 6 = 105 MHz. The 25F's largest
#: network routes at 105.5 MHz in Tiliqua's design (its pins place it differently from the Colorlight i5's,
#: where it makes 108 MHz), and 105 MHz still gives it the 520 cycles per sample it needs (budget 546).
NETWORK_TARGET_HZ = 105_000_000
#: What the manifest asks the SI5351 for, and what it makes.
AUDIO_TARGET_HZ = AUDIO_CLOCKS_PER_SAMPLE * CODEC_SAMPLE_RATE_HZ
AUDIO_SI5351 = si5351_output(AUDIO_TARGET_HZ)
AUDIO_CLOCK_BALL = "D8"
CLOCKS = ExternalAudioClockPlan(search_sync_pll(CLOCK_IN_HZ, SYNC_TARGET_HZ, network_target_hz=NETWORK_TARGET_HZ),
                                AUDIO_SI5351.output_hz,
                                AUDIO_TARGET_HZ, audio_source="SI5351A clk0 (25 MHz crystal) on D8, set by "
                                                              "the bootloader from the manifest")

#: The audio flat cable (``pdn`` is the latch's D input).
CODEC_BALLS = {"sdin1": "D7", "sdout1": "C9", "lrck": "C10", "bick": "D9",
               "scl": "B16", "sda": "C16", "pdn": "A15", "mclk": "C15"}
PDN_CLOCK_BALL = "C12"
ENCODER_BUTTON_BALL = "A6"
PROGRAMN_BALL = "T13"
#: The UART to the RP2040 debugger's USB-serial bridge (the FPGA's TX and RX).
UART_TX_BALL, UART_RX_BALL = "B4", "A4"
#: SoldierCrab balls tied to a supply (driven high) or to ground (driven low) on the board; the RAM
#: bank's are 1.8 V on the SoldierCrab R3.
PSEUDO_VCCIO = "E6 E7 D10 E10 E11 F12 J12 K12 L12 N13 P13 M11 P11 P12 R6"
PSEUDO_GND = "E5 E8 E9 E12 F13 M13 M12 N12 N11"
PSEUDO_VCCRAM = "L4 M4 R5 N5 P4 M6 F5 G5 H5 H4 J4 J5 J3 J1 J2"
PSEUDO_GNDRAM = "L5 L3 M3 N6 P5 P6 F4 G2 G3 H3 H2"
#: ecppack: compressed, fast configuration read (as Tiliqua's builds), and boot address 0 so that
#: PROGRAMN goes back to the bootloader rather than reloading this slot.
ECPPACK_OPTS = "--compress --freq 38.8 --bootaddr 0"


class TiliquaPlatform(LatticeECP5Platform):
    """Tiliqua R4/R5 with a SoldierCrab R3: only the resources this design uses."""

    device = DEVICE.part
    package = DEVICE.amaranth_package
    speed = str(DEVICE.speed)
    default_clk = "clk48"
    resources = [
        Resource("clk48", 0, Pins(CLOCK_IN_BALL, dir="i"), Clock(CLOCK_IN_HZ), Attrs(IO_TYPE="LVCMOS33")),
        Resource("audio_clock", 0, Pins(AUDIO_CLOCK_BALL, dir="i"), Clock(float(CLOCKS.audio_hz)),
                 Attrs(IO_TYPE="LVCMOS33")),
        codec_resource(CODEC_BALLS, drive="4", slew="SLOW"),
        Resource("codec_pdn_clock", 0, Pins(PDN_CLOCK_BALL, dir="o"), Attrs(IO_TYPE="LVCMOS33", DRIVE="4",
                                                                            SLEWRATE="SLOW")),
        Resource("encoder_button", 0, PinsN(ENCODER_BUTTON_BALL, dir="i"), Attrs(IO_TYPE="LVCMOS33")),
        Resource("programn", 0, PinsN(PROGRAMN_BALL, dir="o"), Attrs(IO_TYPE="LVCMOS33", PULLMODE="UP")),
        Resource("uart", 0, Subsignal("tx", Pins(UART_TX_BALL, dir="o")),
                 Subsignal("rx", Pins(UART_RX_BALL, dir="i")), Attrs(IO_TYPE="LVCMOS33", PULLMODE="UP")),
        Resource("pseudo_vccio", 0, Pins(PSEUDO_VCCIO, dir="o"), Attrs(IO_TYPE="LVCMOS33")),
        Resource("pseudo_gnd", 0, Pins(PSEUDO_GND, dir="o"), Attrs(IO_TYPE="LVCMOS33")),
        Resource("pseudo_vccram", 0, Pins(PSEUDO_VCCRAM, dir="o"), Attrs(IO_TYPE="LVCMOS18")),
        Resource("pseudo_gndram", 0, Pins(PSEUDO_GNDRAM, dir="o"), Attrs(IO_TYPE="LVCMOS18")),
    ]
    connectors = []

    def toolchain_prepare(self, fragment, name, **kwargs):
        overrides = dict(ecppack_opts=ECPPACK_OPTS)
        overrides.update(kwargs)
        return super().toolchain_prepare(fragment, name, **overrides)


def tiliqua_clocks(board: BoardSpec) -> ExternalAudioClockGenerator:
    """``sync`` from the PLL on the 48 MHz oscillator, ``audio`` from the SI5351 on D8."""
    return ExternalAudioClockGenerator(board.pll, "clk48", "audio_clock")


def connect_tiliqua_codec(m, platform, pmod, *, io_registers: bool, sync_hz: float) -> None:
    """The codec on the flat cable (fast pins in I/O flip-flops, as on every board), its PDN through the
    motherboard's latch, and the module's housekeeping (:class:`TiliquaHousekeeping`), which mutes that
    latch before a return to the bootloader."""
    m.submodules.housekeeping = housekeeping = TiliquaHousekeeping(sync_hz)
    connect_codec_pins(m, platform, pmod, io_registers=io_registers, pdn=housekeeping.pdn_d)
    m.d.comb += [
        housekeeping.codec_pdn.eq(pmod.pdn),
        housekeeping.button.eq(platform.request("encoder_button", 0).i),
        platform.request("programn", 0).o.eq(housekeeping.programn),
        platform.request("codec_pdn_clock", 0).o.eq(housekeeping.pdn_clk),
    ]
    for name, level in (("pseudo_vccio", 1), ("pseudo_gnd", 0), ("pseudo_vccram", 1), ("pseudo_gndram", 0)):
        pins = platform.request(name, 0).o
        m.d.comb += pins.eq((1 << len(pins)) - 1 if level else 0)


def _tiliqua(name: str, hw_rev: int, audio_board: str, **codec_options) -> BoardSpec:
    return register(BoardSpec(
        name, DEVICE, CLOCKS,
        platform=TiliquaPlatform, clock_resource="clk48", reset_resource=None,
        openfpgaloader_args=("-c", "dirtyJtag"),
        codec_connection=f"internal flat cable to the audio board (eurorack-pmod {audio_board}): SDIN1 D7, "
                         "SDOUT1 C9, LRCK C10, BICK D9, MCLK C15, SDA C16, SCL B16, PDN latch A15 (D) / C12 (clock)",
        codec_pins_verified=True,
        notes=("pins, clocking and archive verified on paper against Tiliqua's public platform, bootloader "
               "and flasher sources (docs/tiliqua.md); not yet run on a module",),
        make_clocks=tiliqua_clocks,
        connect_codec=partial(connect_tiliqua_codec, sync_hz=float(CLOCKS.sync_hz)),
        codec_options=codec_options,
        archive=TiliquaArchive(hw_rev=hw_rev, clk0_hz=AUDIO_TARGET_HZ),
        flash=flash_instructions,
        serial_link=SerialLink("RP2040 USB-serial bridge on the dbg port (docs/tiliqua.md \u00a73)", 115_200,
                               "the rate Tiliqua's own SoC runs its UART at; the bridge's maximum is not documented"),
    ))


#: Tiliqua R5 (audio board R3.5, the driver's default calibration).
BOARD = _tiliqua("tiliqua", 5, "R3.5")
#: Tiliqua R4 (audio board R3.3: its calibration defaults).
BOARD_R4 = _tiliqua("tiliqua_r4", 4, "R3.3", input_cal=R33_INPUT, output_cal=R33_OUTPUT)
