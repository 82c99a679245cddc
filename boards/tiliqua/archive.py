"""Tiliqua bitstream archives: the ``.tar.gz`` its bootloader's flasher writes into a slot (``docs/tiliqua.md`` §7).

An archive holds ``top.bit`` and ``manifest.json`` at its root. The manifest is one JSON object; the
bootloader parses it into fixed-size fields, so every limit below is a hard one and is checked here, before
the build starts (:meth:`TiliquaArchive.check`), not after it:

=====================  ========================================================================================
``hw_rev``             the module's hardware revision (4 or 5); the bootloader refuses a mismatch
``name``               up to 32 characters, shown in the bootloader's menu
``tag``                up to 8 characters (a version; here the source's short commit hash)
``regions``            up to 5: the bitstream (``region_type`` ``"Bitstream"``, its ``size`` in bytes and ``crc``,
                       the CRC-32/BZIP2 of the file, which the bootloader checks in flash before it starts the
                       slot) and the manifest itself (``"Manifest"``, 4096 bytes). Filenames up to 16
                       characters. Flash addresses (``spiflash_src``) are left out: the flasher fills them in
                       for the slot it writes.
``help``               optional: ``brief`` (up to 64 characters), ``io_left`` (8 labels: inputs 0-3, outputs
                       0-3), ``io_right`` (6 labels: encoder, usb2, video, ex0, ex1, MIDI), ``video``; labels up
                       to 20 characters. Its ``brief`` is the one free text of the format: the design passes what
                       its bitstream plays there (the waveshaper: sample rate, latency in samples, volts per
                       unit, parameters, test SNR)
``external_pll_config``  what the bootloader programs into the SI5351 before it starts the slot: ``clk0_hz``
                       (the codec clock, 256 fs) and ``clk1_inherit`` (false: no video clock). No
                       ``spread_spectrum``: it would modulate the sample clock (``boards/clocking/si5351.py``)
``magic``              0xFEEDBEEF
=====================  ========================================================================================

Optional fields that are absent are left out of the JSON rather than written as ``null``, as the
published flasher writes them.

The archive knows no design: the design's name, its one-line brief and its jack labels come in as plain
values (``bitstream/archive.py`` gives the waveshaper's).
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from amaranth.lib import crc

__all__ = ["ArchiveError", "MANIFEST_MAGIC", "TiliquaArchive", "crc32_bzip2", "source_tag"]

MANIFEST_MAGIC = 0xFEEDBEEF
MANIFEST_REGION_SIZE = 0x1000
NAME_MAX = 32
TAG_MAX = 8
REGIONS_MAX = 5
REGION_FILENAME_MAX = 16
BRIEF_MAX = 64
LABEL_MAX = 20
IO_LEFT = 8
IO_RIGHT = 6
#: Archive member names (the flasher looks for exactly these).
BITSTREAM_MEMBER = "top.bit"
MANIFEST_MEMBER = "manifest.json"

class ArchiveError(ValueError):
    """A manifest field the bootloader would not accept; the message names it."""


#: CRC-32/BZIP2: polynomial 0x04C11DB7, not reflected, initial value and final XOR 0xFFFFFFFF, over bytes.
_CRC32_BZIP2 = crc.catalog.CRC32_BZIP2(data_width=8)


def crc32_bzip2(data: bytes) -> int:
    """The CRC-32/BZIP2 of ``data`` (Amaranth's CRC catalogue), as the bootloader checks a slot's bitstream."""
    return _CRC32_BZIP2.compute(data)


def source_tag(root: str | Path | None = None) -> str:
    """The short commit hash of the source tree (7 hex digits), or ``"nogit"`` outside a git checkout."""
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "nogit"
    return out[:TAG_MAX] or "nogit"


def _check_text(field: str, value: str, limit: int) -> None:
    if not isinstance(value, str):
        raise ArchiveError(f"{field}: must be a string, got {value!r}")
    if len(value) > limit:
        raise ArchiveError(f"{field}: {value!r} is {len(value)} characters; the bootloader takes at most {limit}")
    if not value.isascii():
        raise ArchiveError(f"{field}: {value!r} is not ASCII")


@dataclass(frozen=True)
class TiliquaArchive:
    """The archive format of one Tiliqua hardware revision, for bitstreams whose codec clock is
    ``clk0_hz`` (256 fs). The design's ``name`` (the menu entry), ``brief`` (its help line) and
    ``jack_labels`` (8: inputs 0-3, outputs 0-3) are passed to each method."""

    hw_rev: int
    clk0_hz: int

    def manifest(self, bitstream: bytes, *, name: str, brief: str, jack_labels: Sequence[str],
                 tag: str) -> dict[str, Any]:
        """The manifest for ``bitstream`` (the bytes of ``top.bit``). Raises :class:`ArchiveError`."""
        _check_text("name", name, NAME_MAX)
        _check_text("tag", tag, TAG_MAX)
        if self.hw_rev not in (4, 5):
            raise ArchiveError(f"hw_rev: {self.hw_rev} is not a Tiliqua revision with an external audio clock "
                               f"(4 or 5)")
        if not bitstream:
            raise ArchiveError("bitstream: empty")
        help_ = {
            "brief": brief,
            "io_left": list(jack_labels),
            "io_right": ["hold 3s: bootloader", "", "", "", "", ""],
            "video": "<none>",
        }
        _check_text("help.brief", help_["brief"], BRIEF_MAX)
        for key, count in (("io_left", IO_LEFT), ("io_right", IO_RIGHT)):
            if len(help_[key]) != count:
                raise ArchiveError(f"help.{key}: needs {count} labels, got {len(help_[key])}")
            for i, label in enumerate(help_[key]):
                _check_text(f"help.{key}[{i}]", label, LABEL_MAX)
        regions = [
            {"filename": BITSTREAM_MEMBER, "size": len(bitstream), "region_type": "Bitstream",
             "crc": crc32_bzip2(bitstream)},
            {"filename": MANIFEST_MEMBER, "size": MANIFEST_REGION_SIZE, "region_type": "Manifest"},
        ]
        for region in regions:
            _check_text("regions.filename", region["filename"], REGION_FILENAME_MAX)
        return {
            "hw_rev": self.hw_rev, "name": name, "tag": tag, "regions": regions, "help": help_,
            "external_pll_config": {"clk0_hz": int(self.clk0_hz), "clk1_inherit": False},
            "magic": MANIFEST_MAGIC,
        }

    def check(self, *, name: str, brief: str, jack_labels: Sequence[str]) -> None:
        """Everything that does not need the bitstream, before the build starts."""
        self.manifest(b"\x00", name=name, brief=brief, jack_labels=jack_labels, tag="0" * TAG_MAX)

    def file_name(self, name: str, tag: str) -> str:
        return f"{name.lower()}-{tag}-r{self.hw_rev}.tar.gz"

    def write(self, bitstream_path: str | Path, *, name: str, brief: str, jack_labels: Sequence[str],
              tag: str | None = None) -> Path:
        """Write ``<name>-<tag>-r<rev>.tar.gz`` beside ``bitstream_path``; returns its path."""
        bitstream_path = Path(bitstream_path)
        bitstream = bitstream_path.read_bytes()
        tag = source_tag() if tag is None else tag
        manifest = json.dumps(self.manifest(bitstream, name=name, brief=brief, jack_labels=jack_labels,
                                            tag=tag)).encode()
        path = bitstream_path.parent / self.file_name(name, tag)
        mtime = int(bitstream_path.stat().st_mtime)
        with tarfile.open(path, "w:gz") as tar:
            for member, data in ((BITSTREAM_MEMBER, bitstream), (MANIFEST_MEMBER, manifest)):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mode = 0o644
                info.mtime = mtime
                tar.addfile(info, io.BytesIO(data))
        return path

    def summary(self) -> dict[str, Any]:
        return {"format": "tiliqua bitstream archive", "hw_rev": self.hw_rev, "clk0_hz": self.clk0_hz}
