"""Board registry: one :class:`BoardSpec` per supported board.

Adding a board means adding one module under ``boards/`` that calls :func:`register`. ``rtl/`` reads
the clock and multiplier budget from here (``make rtl BOARD=...``); ``boards/`` builds from it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BoardSpec", "BOARDS", "get_board", "register"]


@dataclass(frozen=True)
class BoardSpec:
    name: str
    #: nextpnr-ecp5 device flag (``25k``, ``85k``, ``um5g-85k``) and package / speed grade.
    device: str
    package: str
    speed: int
    #: Clock the network (``sync`` domain) runs at.
    sys_clock_hz: int
    #: Resources of the FPGA, for the scheduler and the reports.
    multipliers: int
    block_rams: int
    luts: int


BOARDS: dict[str, BoardSpec] = {}


def register(spec: BoardSpec) -> BoardSpec:
    BOARDS[spec.name] = spec
    return spec


register(BoardSpec("ecpix5", "um5g-85k", "CABGA554", 8, 100_000_000, multipliers=156, block_rams=208,
                   luts=83_640))
register(BoardSpec("colorlight_i5", "25k", "CABGA381", 6, 100_000_000, multipliers=28, block_rams=56,
                   luts=24_288))
register(BoardSpec("ulx3s", "85k", "CABGA381", 6, 100_000_000, multipliers=156, block_rams=208,
                   luts=83_640))


def get_board(name: str) -> BoardSpec:
    try:
        return BOARDS[name]
    except KeyError:
        raise KeyError(f"unknown board {name!r}; known boards: {', '.join(sorted(BOARDS))}") from None
