"""The ECP5 device table: resources per die (as nextpnr-ecp5 reports them), nextpnr flags, and clear errors
for parts, packages and speed grades that do not exist."""

from __future__ import annotations

import pytest

from common.devices import MULTIPLIER_WIDTH, DeviceError, ecp5_device


def test_resources_and_flags():
    d = ecp5_device("LFE5UM5G-85F", "CABGA554", 8)
    assert (d.luts, d.block_rams, d.multipliers) == (83_640, 208, 156)
    assert d.nextpnr_flags == ["--um5g-85k", "--package", "CABGA554", "--speed", "8"]
    assert d.name == "LFE5UM5G-85F-8 CABGA554" and d.amaranth_package == "BG554"
    d = ecp5_device("LFE5U-25F", "CABGA256", 6)
    assert (d.luts, d.block_rams, d.multipliers) == (24_288, 56, 28)
    assert d.nextpnr_flags[0] == "--25k" and d.amaranth_package == "BG256"
    assert ecp5_device("LFE5U-45F", "CSFBGA285", 7).amaranth_package == "MG285"
    assert ecp5_device("LFE5UM-45F", "CABGA381", 6).nextpnr_device == "um-45k"
    assert MULTIPLIER_WIDTH == 18


def test_impossible_parts_are_refused():
    with pytest.raises(DeviceError, match=r"unknown ECP5 part 'LFE5U-65F'; known parts: LFE5U-25F, "):
        ecp5_device("LFE5U-65F", "CABGA381", 6)
    with pytest.raises(DeviceError, match=r"LFE5U-85F does not come in package 'CABGA256'"):
        ecp5_device("LFE5U-85F", "CABGA256", 6)
    with pytest.raises(DeviceError, match=r"LFE5UM5G-85F has no speed grade 6; its grades: 8"):
        ecp5_device("LFE5UM5G-85F", "CABGA381", 6)
