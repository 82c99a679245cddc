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


@pytest.mark.parametrize("part,package,speed,model", [
    ("LFE5UM5G-85F", "CABGA554", 8, "8_5G"),   # the ECPIX-5: every 5G part is timed with the 5G model
    ("LFE5UM5G-25F", "CABGA381", 8, "8_5G"),
    ("LFE5UM-85F", "CABGA381", 8, "8"),
    ("LFE5U-25F", "CABGA256", 6, "6"),          # the Colorlight i5, Tiliqua
    ("LFE5U-45F", "CABGA381", 7, "7"),
])
def test_timing_model_is_the_one_nextpnr_uses(part, package, speed, model):
    assert ecp5_device(part, package, speed).timing_model == model


def test_the_conservative_twin_of_a_5g_part_is_the_plain_speed_8_part():
    twin = ecp5_device("LFE5UM5G-85F", "CABGA554", 8).conservative_twin()
    assert twin is not None and twin.name == "LFE5UM-85F-8 CABGA554" and twin.timing_model == "8"
    assert twin.nextpnr_flags == ["--um-85k", "--package", "CABGA554", "--speed", "8"]
    assert (twin.luts, twin.block_rams, twin.multipliers) == (83_640, 208, 156)
    assert ecp5_device("LFE5U-25F", "CABGA256", 6).conservative_twin() is None
    assert ecp5_device("LFE5UM-85F", "CABGA381", 8).conservative_twin() is None
