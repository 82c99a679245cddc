"""``make flash BOARD=tiliqua``: what to run with the bitstream archive (``docs/tiliqua.md`` §8).

A Tiliqua runs user bitstreams from one of 8 slots of its SPI flash. Tiliqua's own flasher writes an
archive's bitstream and manifest into a slot (through the module's RP2040 debugger, as openFPGALoader's
``dirtyJtag`` cable), and the bootloader starts the slot after programming the audio clock the manifest
asks for. That flasher is not on PyPI: it runs from a checkout of Tiliqua's repository (``pdm flash``), or
in a browser (the web flasher). So nothing is flashed from here: this prints the exact command for the
archive that ``make bitstream BOARD=tiliqua`` wrote. Loading ``top.bit`` straight into the FPGA's SRAM is
not offered: the audio clock would then be whatever the bootloader last set (48 kHz in its default
build), and the design would stay silent (``boards/clocking/audio_clock_monitor.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["SLOTS", "TILIQUA_REPOSITORY", "TiliquaFlashError", "WEB_FLASHER", "find_archive", "flash_instructions"]

SLOTS = 8
TILIQUA_REPOSITORY = "https://github.com/apfaudio/tiliqua"
WEB_FLASHER = "https://apfaudio.github.io/tiliqua-webflash"


class TiliquaFlashError(RuntimeError):
    """No archive to flash, or a slot that does not exist."""


def find_archive(board, build_root: str | Path) -> Path:
    """The archive the last ``make bitstream`` wrote for ``board`` (named in its ``report.json``)."""
    out_dir = Path(build_root) / board.name
    report = out_dir / "report.json"
    if report.is_file():
        archive = json.loads(report.read_text()).get("archive")
        if archive and Path(archive).is_file():
            return Path(archive)
    candidates = sorted(out_dir.glob(f"*-r{board.archive.hw_rev}.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise TiliquaFlashError(f"no bitstream archive in {out_dir}; build it first with "
                                f"`make bitstream BOARD={board.name}` (python -m bitstream build --board {board.name})")
    return candidates[-1]


def flash_instructions(board, *, build_root: str | Path = "build", slot: int | None = None, **_ignored) -> str:
    """The text ``make flash BOARD=tiliqua`` prints; raises :class:`TiliquaFlashError`."""
    if slot is not None and not 0 <= slot < SLOTS:
        raise TiliquaFlashError(f"slot {slot} does not exist: a Tiliqua has slots 0..{SLOTS - 1}")
    archive = find_archive(board, build_root).resolve()
    slot_text = str(slot) if slot is not None else f"<0..{SLOTS - 1}>"
    lines = [
        f"Not flashed: a Tiliqua (R{board.archive.hw_rev}) runs bitstreams from one of its {SLOTS} flash slots, "
        "written by Tiliqua's own flasher from the bitstream archive;",
        f"its bootloader then starts the slot and sets the {board.archive.clk0_hz / 1e6:g} MHz audio clock "
        "the archive's manifest asks for.",
        f"Archive: {archive}",
        "",
        "Tiliqua's flasher is not on PyPI. From a checkout of",
        f"{TILIQUA_REPOSITORY} (in its gateware/ folder, after `pdm install`), with the module's dbg USB port "
        "plugged in:",
        "",
        f"    pdm flash archive {archive} --slot {slot_text}",
        "",
    ]
    if slot is None:
        lines += ["(pick a free slot; `pdm flash status` lists what each slot holds; or run make flash "
                  f"BOARD={board.name} SLOT=n)", ""]
    lines += [
        f"or load the archive into the web flasher (Chrome): {WEB_FLASHER}",
        "Then choose the slot in the bootloader menu; hold the encoder for 3 s to return to the bootloader.",
    ]
    return "\n".join(lines)
