"""SymbiYosys proves the stream contract of ConvLayer (with either history), ActivationCache and ShiftBuffer
over their bounds (at least one whole sample period after reset), and rejects one broken variant per
property. About 40 s on 2 cores (yices)."""

from __future__ import annotations

import pytest

from rtl.formal import MUTANTS, PROOFS, bound, formal_plan
from rtl.formal.sby import prove

pytestmark = pytest.mark.slow

CASES = {case.name: case for case in PROOFS}
EXPECTED = {
    "conv_layer_shift_buffer": {"o_valid_held", "o_payload_stable", "push_when_ready", "no_push_while_reading"},
    "conv_layer_activation_cache": {"o_valid_held", "o_payload_stable", "push_when_ready", "no_push_while_reading",
                                    "no_read_of_slot_being_written"},
    "activation_cache": {"no_read_of_slot_being_written", "ready_held"},
    "shift_buffer": {"ready_held", "read_before_overwrite"},
}


def test_bounds_cover_whole_sample_periods():
    """By hand: layer 0 (K=2, Cin=2, 2 filters, one lane) issues 2 x 2 x 2 = 8 MAC steps, 16 cycles per sample
    with the 8 of overhead (a 4-cycle history read + 4), no RAM to clear: bound 48. Layer 1 (K=3, Cin=2)
    issues 12, 20 cycles per sample, after clearing 8 slots x 2 channels = 16 RAM words: bound 16 + 60 = 76."""
    plan = formal_plan()
    assert [lp.cycles for lp in plan.layers] == [16, 20] and [lp.clear_cycles for lp in plan.layers] == [0, 16]
    assert (bound(0), bound(1)) == (48, 76)


@pytest.mark.parametrize("name", sorted(CASES))
def test_proof(name, tmp_path):
    harness, depth = CASES[name].build()
    result = prove(harness, tmp_path, depth, name=name)
    assert set(harness.properties) == EXPECTED[name]
    assert result.proved, (result.status, result.failed, result.unreached, result.log[-2000:])
    assert result.status == {"bmc": "PASS", "cover": "PASS"}  # the covers were reached inside the bound


@pytest.mark.parametrize("proof, mutant, prop", MUTANTS, ids=[m.__name__ for _, m, _ in MUTANTS])
def test_mutant_is_rejected(proof, mutant, prop, tmp_path):
    harness, depth = CASES[proof].build(mutant, prop)
    result = prove(harness, tmp_path, depth, name=mutant.__name__)
    assert result.status == {"bmc": "FAIL"} and result.failed == [prop], (result.status, result.failed)


def test_every_property_has_a_mutant():
    assert {p for props in EXPECTED.values() for p in props} == {prop for _, _, prop in MUTANTS}
