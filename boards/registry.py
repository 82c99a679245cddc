"""Board registry: one :class:`BoardSpec` per supported board, one module per board.

Adding a board means adding one module ``boards/<name>.py`` that defines ``BOARD = register(BoardSpec(...))``
(see ``boards/ecpix5.py``); this module finds such files by that line and imports them, nothing else needs
editing. ``rtl/`` reads the network clock and multiplier budget from here (``make rtl BOARD=...``);
``boards/`` builds and flashes from it.

``sys_clock_hz`` and ``sample_rate_hz`` are what the board's PLL really produces (see ``boards/pll.py``),
not nominal values, so the network schedule is planned against the real cycle budget.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BoardSpec", "BOARDS", "DEFAULT_BOARD", "get_board", "register"]

DEFAULT_BOARD = "ecpix5"


@dataclass(frozen=True)
class BoardSpec:
    name: str
    #: nextpnr-ecp5 device flag (``25k``, ``85k``, ``um5g-85k``) and package / speed grade.
    device: str
    package: str
    speed: int
    #: Clock the network (``sync`` domain) runs at: the PLL's achieved CLKOP, rounded down to whole Hz.
    sys_clock_hz: int
    #: Resources of the FPGA, for the scheduler and the reports.
    multipliers: int
    block_rams: int
    luts: int
    #: Achieved codec sample rate (audio clock / 256), exact to the Hz fraction the PLL gives.
    sample_rate_hz: float = 192_000.0
    #: Lattice part name, as amaranth's platform spells it (``LFE5UM5G-85F``).
    part: str = ""
    #: Board oscillator feeding the PLL.
    clock_in_hz: int = 0
    #: The PLL settings (``boards.pll.PllSettings``); None for a board that cannot build.
    pll: Any = None
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

    @property
    def nextpnr_flags(self) -> list[str]:
        return [f"--{self.device}", "--package", self.package, "--speed", str(self.speed)]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name, "part": self.part, "device": self.device, "package": self.package,
            "speed": self.speed, "clock_in_hz": self.clock_in_hz, "sys_clock_hz": self.sys_clock_hz,
            "sample_rate_hz": self.sample_rate_hz, "multipliers": self.multipliers,
            "block_rams": self.block_rams, "luts": self.luts,
            "pll": self.pll.summary() if self.pll is not None else None,
            "openfpgaloader_args": list(self.openfpgaloader_args),
            "codec_connection": self.codec_connection, "codec_pins_verified": self.codec_pins_verified,
        }


BOARDS: dict[str, BoardSpec] = {}


def register(spec: BoardSpec) -> BoardSpec:
    BOARDS[spec.name] = spec
    return spec


def _discover() -> None:
    """Import every ``boards/*.py`` that defines a board (a line starting ``BOARD = register(``)."""
    for path in sorted(Path(__file__).parent.glob("*.py")):
        if path.stem == "registry" or path.stem.startswith("_"):
            continue
        if any(line.startswith("BOARD = register(") for line in path.read_text().splitlines()):
            importlib.import_module(f"{__package__}.{path.stem}")


def get_board(name: str) -> BoardSpec:
    try:
        return BOARDS[name]
    except KeyError:
        raise KeyError(f"unknown board {name!r}; known boards: {', '.join(sorted(BOARDS))}") from None


_discover()
