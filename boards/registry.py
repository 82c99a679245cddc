"""Board registry: one :class:`BoardSpec` per supported board, one file per board in ``boards/defs/``.

Adding a board means adding one module ``boards/defs/<name>.py`` that ends in
``BOARD = register(BoardSpec(...))`` (see ``boards/defs/ecpix5.py``) and naming it in
``boards.defs.BOARD_MODULES``; the registry imports exactly those modules. A board file gives its part
(``common.devices.ecp5_device``), its amaranth platform carrying the ``eurorack_pmod`` resource, its clock
plan (a :class:`ClockPlan`) and the openFPGALoader arguments. A board whose clocks or codec pads differ from
the usual (one EHXPLLL from the board oscillator; the codec on a PMOD-style resource with the fast pins in
I/O flip-flops) passes its own ``make_clocks`` / ``connect_codec``; one with another audio board revision
its ``codec_options``; one loaded by a bootloader its ``archive`` format (a :class:`BitstreamArchive`) and its
``flash`` instructions (``boards/defs/tiliqua.py``); one with a USB-serial bridge its ``serial_link``.

The clock figures are what the board's clocks really produce (see ``boards/clocking/pll.py``), not
nominal values, so the network is planned against the real cycle budget (``bitstream/plan.py``).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from common.devices import Device

from .clocking.clock_generator import ClockGenerator
from .clocking.pll import AUDIO_CLOCKS_PER_SAMPLE
from .eurorack_pmod.pins import connect_codec_pins

__all__ = ["BitstreamArchive", "BoardSpec", "BOARDS", "ClockPlan", "DEFAULT_BOARD", "SerialLink", "get_board",
           "pll_clocks", "register"]

DEFAULT_BOARD = "ecpix5"


def pll_clocks(board: BoardSpec):
    """The usual clocking: one EHXPLLL from the board oscillator makes ``sync``, ``audio`` and, when the board
    asks for one, ``network``."""
    return ClockGenerator(board.pll, board.clock_resource, board.reset_resource)


class ClockPlan(Protocol):
    """What a board's clock plan (``BoardSpec.pll``) gives: the oscillator, the exact ``sync`` (system) and
    ``audio`` (256 fs) clocks, the ``network`` clock and CLKOS2's divider (None: the network runs in
    ``sync``), and a report. :class:`~boards.clocking.pll.PllSettings` (one EHXPLLL makes every clock) and
    :class:`~boards.clocking.external_audio.ExternalAudioClockPlan` (the codec clock from outside) are two."""

    @property
    def clock_in_hz(self) -> int: ...
    @property
    def sync_hz(self) -> Fraction: ...
    @property
    def audio_hz(self) -> Fraction: ...
    @property
    def network_hz(self) -> Fraction: ...
    @property
    def clkos2_div(self) -> int | None: ...
    def summary(self) -> dict[str, object]: ...


class BitstreamArchive(Protocol):
    """The file a bootloader loads a bitstream from (``BoardSpec.archive``; Tiliqua:
    :class:`~boards.tiliqua.archive.TiliquaArchive`). The design passes its own name, brief and jack labels:
    ``check`` refuses them before the build starts, ``write`` puts the archive beside the bitstream."""

    def check(self, *, name: str, brief: str, jack_labels: Sequence[str]) -> None: ...
    def write(self, bitstream_path: str | Path, *, name: str, brief: str, jack_labels: Sequence[str],
              tag: str | None = None) -> Path: ...
    def summary(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class SerialLink:
    """The board's USB-serial bridge behind its platform's ``uart`` resource: the part, the fastest rate it
    is specified for (a design that streams over it must stay below this), and how sure that figure is."""

    chip: str
    max_baud: int
    note: str


@dataclass(frozen=True)
class BoardSpec:
    name: str
    #: The FPGA: part, package, speed grade and its resources (scheduler, reports).
    device: Device
    #: The clock plan: ``clock_in_hz``, the exact ``sync_hz`` (system) and ``audio_hz`` (256 fs) it gives,
    #: optionally ``network_hz`` and ``clkos2_div`` (the network's own clock), and ``summary()``; a
    #: :class:`~boards.clocking.pll.PllSettings` for boards clocked by one EHXPLLL.
    pll: ClockPlan
    #: Zero-argument factory of the amaranth platform (with the ``eurorack_pmod`` codec resource).
    platform: Callable[[], Any] | None = None
    #: Platform resource names of the oscillator and the (optional) reset button.
    clock_resource: str = ""
    reset_resource: str | None = None
    #: openFPGALoader arguments that select the board/cable (before ``-m``/``-f``).
    openfpgaloader_args: tuple[str, ...] = ()
    #: How the eurorack-pmod connects, and whether that pin mapping is verified (on hardware or paper).
    codec_connection: str = ""
    codec_pins_verified: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: ``make_clocks(board)``: the component that makes the ``sync`` and ``audio`` domains on the board.
    make_clocks: Callable[[BoardSpec], Any] = pll_clocks
    #: ``connect_codec(m, platform, pmod, io_registers=...)``: wires the codec driver's pin ports to the
    #: board's pads (``boards/eurorack_pmod/pins.py``); it may add the board's own blocks that go with
    #: the codec (Tiliqua: the PDN latch and the hold-to-reboot housekeeping).
    connect_codec: Callable[..., None] = connect_codec_pins
    #: Extra :class:`~boards.eurorack_pmod.pmod.EurorackPmod` parameters the board's audio module needs
    #: (an older audio board's calibration, say).
    codec_options: Mapping[str, Any] = field(default_factory=dict)
    #: The file format a bootloader loads the bitstream from, if the board has one (Tiliqua: a bitstream
    #: archive): ``check(name=, brief=, jack_labels=)`` before the build, ``write(bitstream_path, name=,
    #: brief=, jack_labels=) -> Path`` after it; the design passes its own name, brief and labels.
    archive: BitstreamArchive | None = None
    #: Replaces openFPGALoader for ``make flash`` (Tiliqua: prints the command for its own flasher):
    #: ``flash(board, build_root=..., bitstream=..., slot=..., to_flash=...) -> str``.
    flash: Callable[..., str] | None = None
    #: The USB-serial link a design can stream data over (the datalogger), if the board has one.
    serial_link: SerialLink | None = None

    @property
    def part(self) -> str:
        return self.device.part

    @property
    def clock_in_hz(self) -> int:
        return self.pll.clock_in_hz

    @property
    def sync_clock_hz(self) -> float:
        """The system clock (``sync`` domain): the codec driver's streams and the scaling, and the network
        when the PLL makes no network clock."""
        return float(self.pll.sync_hz)

    @property
    def sys_clock_hz(self) -> int:
        """The system clock (``sync`` domain), rounded down to whole Hz."""
        return math.floor(self.pll.sync_hz)

    @property
    def has_network_clock(self) -> bool:
        """Whether the PLL makes a ``network`` domain of its own (else the network runs in ``sync``)."""
        return getattr(self.pll, "clkos2_div", None) is not None

    @property
    def network_clock_hz(self) -> float:
        """The clock the front end and the network run at: the ``network`` domain's, else ``sync``'s."""
        return float(getattr(self.pll, "network_hz", self.pll.sync_hz))

    @property
    def audio_clock_hz(self) -> float:
        """The codec clock (``audio`` domain, 256 fs)."""
        return float(self.pll.audio_hz)

    @property
    def sample_rate_hz(self) -> float:
        """Achieved codec sample rate (audio clock / 256)."""
        return float(self.pll.audio_hz / AUDIO_CLOCKS_PER_SAMPLE)

    def summary(self) -> dict[str, Any]:
        d = self.device
        return {
            "name": self.name, "part": d.part, "device": d.nextpnr_device, "package": d.package,
            "speed": d.speed, "clock_in_hz": self.clock_in_hz, "sys_clock_hz": self.sys_clock_hz,
            "network_clock_hz": self.network_clock_hz,
            "sample_rate_hz": self.sample_rate_hz, "multipliers": d.multipliers,
            "block_rams": d.block_rams, "luts": d.luts,
            "pll": self.pll.summary() if self.pll is not None else None,
            "openfpgaloader_args": list(self.openfpgaloader_args),
            "codec_connection": self.codec_connection, "codec_pins_verified": self.codec_pins_verified,
            "archive": self.archive.summary() if self.archive is not None else None,
        }


BOARDS: dict[str, BoardSpec] = {}


def register(spec: BoardSpec) -> BoardSpec:
    BOARDS[spec.name] = spec
    return spec


def _discover() -> None:
    """Import the board modules named in ``boards.defs.BOARD_MODULES``; each registers its board."""
    from . import defs

    for name in defs.BOARD_MODULES:
        importlib.import_module(f"{defs.__name__}.{name}")


def get_board(name: str) -> BoardSpec:
    try:
        return BOARDS[name]
    except KeyError:
        raise KeyError(f"unknown board {name!r}; known boards: {', '.join(sorted(BOARDS))}") from None


_discover()
