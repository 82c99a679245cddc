"""The pre-synthesis estimate's own rules, each checked against values worked out by hand.

How close the estimate comes to nextpnr is measured by ``make bench`` itself (``bench/report.py`` compares
every build's estimate with what nextpnr reported for it), not from figures copied into a test.
"""

from __future__ import annotations

from bench.estimate import _rom_in_logic, estimate
from bench.networks import NETWORKS, plan_for


def test_rom_mapping_follows_memory_libmap_costs():
    # 64 x 16-bit weights cost 64 in logic < 128 for a block: LUTs; 256 words cost 256 > 128: a block.
    assert _rom_in_logic(64, 16) and _rom_in_logic(128, 16)  # the tie (128 = one block) went to logic
    assert not _rom_in_logic(256, 16) and not _rom_in_logic(1024, 16)


def test_estimate_grows_with_the_network():
    sizes = [estimate(NETWORKS[n].config, plan_for(NETWORKS[n].config)) for n in NETWORKS]
    for smaller, larger in zip(sizes, sizes[1:], strict=False):
        assert larger.luts > smaller.luts and larger.ffs > smaller.ffs and larger.block_rams > smaller.block_rams
