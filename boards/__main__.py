"""``python -m boards``: ``flash`` a bitstream onto a board (make flash), ``list`` the boards. The waveshaper's
own commands (``rtl``, ``build``) are ``python -m bitstream``'s."""

from __future__ import annotations

import argparse
import json
import sys

from .registry import BOARDS, DEFAULT_BOARD


def _clocks(clocks: dict) -> str:
    """Each clock's Fmax against its target and its slack in ns and per cent of the period."""
    return ", ".join(f"{d} {c['fmax_mhz']:.1f}/{c['target_mhz']:.2f} MHz (slack {c['slack_ns']:+.2f} ns, "
                     f"{c['slack_percent']:+.1f} %)" for d, c in clocks.items())


def _flash(args) -> int:
    from .toolchain.flash import FlashError, flash_board

    try:
        output = flash_board(args.board, bitstream=args.bitstream, to_flash=args.flash, build_root=args.out,
                             slot=args.slot)
    except FlashError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(output.strip())
    return 0


def _list(args) -> int:
    for _name, board in sorted(BOARDS.items()):
        print(json.dumps(board.summary()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m boards", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    boards = sorted(BOARDS)

    flash = sub.add_parser("flash", help="program the board with openFPGALoader (SRAM unless --flash); "
                                         "Tiliqua: print the flasher command for its archive")
    flash.add_argument("--board", choices=boards, default=DEFAULT_BOARD)
    flash.add_argument("--flash", action="store_true", help="write the SPI flash instead of SRAM")
    flash.add_argument("--bitstream", default=None, help="default: <out>/<board>/top.bit")
    flash.add_argument("--out", default="build")
    flash.add_argument("--slot", type=int, default=None,
                       help="flash slot, for boards loaded by a bootloader (Tiliqua: 0..7)")
    flash.set_defaults(func=_flash)

    listing = sub.add_parser("list", help="print the registered boards as JSON lines")
    listing.set_defaults(func=_list)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
