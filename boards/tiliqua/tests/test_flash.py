"""What ``make flash BOARD=tiliqua`` prints: the flasher command for the archive, and the slot errors."""

from __future__ import annotations

import json

import pytest

from boards.__main__ import main
from boards.registry import get_board
from boards.toolchain.flash import FlashError, flash_board

from .helpers import FIELDS


def test_flash_without_an_archive(tmp_path):
    with pytest.raises(FlashError, match="no bitstream archive in .*make bitstream BOARD=tiliqua"):
        flash_board("tiliqua", build_root=tmp_path)


def test_flash_prints_the_flasher_command_for_the_archive(tmp_path, capsys):
    out = tmp_path / "tiliqua"
    out.mkdir()
    (out / "top.bit").write_bytes(b"\x01\x02")
    archive = get_board("tiliqua").archive.write(out / "top.bit", **FIELDS, tag="t")
    (out / "report.json").write_text(json.dumps({"archive": str(archive)}))
    text = flash_board("tiliqua", build_root=tmp_path, slot=3)
    assert f"    pdm flash archive {archive.resolve()} --slot 3\n" in text
    assert "Not flashed" in text and "https://github.com/apfaudio/tiliqua" in text
    assert "https://apfaudio.github.io/tiliqua-webflash" in text and "49.152 MHz" in text
    assert "--slot <0..7>" in flash_board("tiliqua", build_root=tmp_path)
    assert main(["flash", "--board", "tiliqua", "--out", str(tmp_path), "--slot", "7"]) == 0
    assert f"pdm flash archive {archive.resolve()} --slot 7" in capsys.readouterr().out


def test_flash_slot_errors(tmp_path, capsys):
    with pytest.raises(FlashError, match="slot 8 does not exist: a Tiliqua has slots 0..7"):
        flash_board("tiliqua", build_root=tmp_path, slot=8)
    with pytest.raises(FlashError, match="board ecpix5 has no flash slots"):
        flash_board("ecpix5", build_root=tmp_path, slot=1)
    assert main(["flash", "--board", "tiliqua", "--out", str(tmp_path), "--slot", "-1"]) == 1
    assert "slot -1 does not exist" in capsys.readouterr().err
