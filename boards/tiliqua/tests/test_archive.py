"""Tiliqua's bitstream archive: CRC-32/BZIP2 against the test's own bitwise one, the archive untarred and
read back with ``tarfile``/``json``, and the bootloader's field limits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boards.registry import get_board
from boards.tiliqua.archive import ArchiveError, TiliquaArchive, crc32_bzip2

from .helpers import FIELDS, LABELS, read_archive


def crc32_bzip2_bitwise(data: bytes) -> int:
    """CRC-32/BZIP2 one bit at a time (the test's own, independent of Amaranth's CRC catalogue, which the
    archive uses)."""
    crc = 0xFFFFFFFF
    for byte in data:
        for bit in range(7, -1, -1):
            top = (crc >> 31) ^ ((byte >> bit) & 1)
            crc = ((crc << 1) & 0xFFFFFFFF) ^ (0x04C11DB7 if top else 0)
    return crc ^ 0xFFFFFFFF


def test_crc32_bzip2_check_value():
    assert crc32_bzip2(b"123456789") == 0xFC891918        # the CRC catalogue's check value
    data = bytes(np.random.default_rng(0).integers(0, 256, 3001, dtype=np.uint8))
    assert crc32_bzip2(data) == crc32_bzip2_bitwise(data)


def no_nulls(value):
    if isinstance(value, dict):
        return all(v is not None and no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(no_nulls(v) for v in value)
    return value is not None


@pytest.mark.parametrize("name, hw_rev", [("tiliqua", 5), ("tiliqua_r4", 4)])
def test_archive_contents(tmp_path, name, hw_rev):
    bitstream = bytes(np.random.default_rng(hw_rev).integers(0, 256, 123_457, dtype=np.uint8))
    (tmp_path / "top.bit").write_bytes(bitstream)
    path = get_board(name).archive.write(tmp_path / "top.bit", **FIELDS, tag="abc1234")
    assert path == tmp_path / f"some-design_1-abc1234-r{hw_rev}.tar.gz"
    members, data = read_archive(path)
    assert set(members) == {"top.bit", "manifest.json"}
    assert all(m.isfile() for m in members.values())
    assert data["top.bit"] == bitstream
    manifest = json.loads(data["manifest.json"])
    assert manifest["hw_rev"] == hw_rev and manifest["magic"] == 0xFEEDBEEF
    assert manifest["name"] == "SOME-DESIGN_1" and manifest["tag"] == "abc1234"
    assert manifest["external_pll_config"] == {"clk0_hz": 49_152_000, "clk1_inherit": False}
    bit_region, manifest_region = manifest["regions"]
    assert bit_region == {"filename": "top.bit", "size": 123_457, "region_type": "Bitstream",
                          "crc": crc32_bzip2_bitwise(bitstream)}
    assert manifest_region == {"filename": "manifest.json", "size": 4096, "region_type": "Manifest"}
    assert no_nulls(manifest)                                        # absent, never null
    help_ = manifest["help"]
    assert help_["brief"] == "a design of the tests" and help_["io_left"] == LABELS
    assert help_["io_right"][0] == "hold 3s: bootloader" and len(help_["io_right"]) == 6


def test_archive_field_limits():
    archive = TiliquaArchive(hw_rev=5, clk0_hz=49_152_000)
    with pytest.raises(ArchiveError, match="name: 'A{41}' is 41 characters; the bootloader takes at most 32"):
        archive.check(**{**FIELDS, "name": "A" * 41})
    with pytest.raises(ArchiveError, match="tag: '123456789' is 9 characters"):
        archive.manifest(b"\x01", **FIELDS, tag="123456789")
    with pytest.raises(ArchiveError, match="hw_rev: 3 is not a Tiliqua revision"):
        TiliquaArchive(hw_rev=3, clk0_hz=49_152_000).check(**FIELDS)
    with pytest.raises(ArchiveError, match="bitstream: empty"):
        archive.manifest(b"", **FIELDS, tag="x")
    with pytest.raises(ArchiveError, match="help.brief: 'b{65}' is 65 characters"):
        archive.check(**{**FIELDS, "brief": "b" * 65})
    with pytest.raises(ArchiveError, match="help.io_left: needs 8 labels, got 7"):
        archive.check(**{**FIELDS, "jack_labels": LABELS[:7]})
    with pytest.raises(ArchiveError, match=r"help.io_left\[1\]: 'x{21}' is 21 characters"):
        archive.check(**{**FIELDS, "jack_labels": [LABELS[0], "x" * 21, *LABELS[2:]]})
