"""SymbiYosys checks the stream contract of ConvLayer (with either history), ActivationCache and ShiftBuffer:
bounded model checks over the cache clearing and three sample periods after reset, then unbounded proofs of the
same properties by k-induction (every cycle of every run); each rejects its broken variants, and the variants
whose bug comes only after many samples pass the bounded check and fail the unbounded proof. About 90 s on 2
cores (yices)."""

from __future__ import annotations

import pytest

from rtl.formal import MUTANTS, PROOFS, UNBOUNDED, UNBOUNDED_MUTANTS, bound, formal_plan, induction_depth
from rtl.formal.mutants import LATE_PUSHES
from rtl.formal.sby import prove

pytestmark = pytest.mark.slow

CASES = {case.name: case for case in PROOFS}
CONV_LAYER = {"o_valid_held", "o_payload_stable", "push_when_ready", "no_push_while_reading", "complete_after_running",
              "running_while_pending"}
EXPECTED = {
    "conv_layer_shift_buffer": CONV_LAYER,
    "conv_layer_activation_cache": CONV_LAYER | {"no_read_of_slot_being_written"},
    "activation_cache": {"no_read_of_slot_being_written", "ready_held"},
    "shift_buffer": {"ready_held", "read_before_overwrite", "history_is_last_pushes"},
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


def test_every_harness_is_proved_without_a_bound():
    """The histories' read-before-overwrite properties among them; k is one sample period for the layers."""
    assert dict(UNBOUNDED) == {"conv_layer_shift_buffer": 16, "conv_layer_activation_cache": 20,
                               "activation_cache": 1, "shift_buffer": 4}
    assert (induction_depth(0), induction_depth(1)) == (16, 20)


@pytest.mark.parametrize("name, k", UNBOUNDED, ids=[name for name, _ in UNBOUNDED])
def test_unbounded_proof(name, k, tmp_path):
    harness, _ = CASES[name].build()
    result = prove(harness, tmp_path, k, name=name, mode="prove")
    assert set(harness.properties) == EXPECTED[name]
    assert result.status == {"prove": "PASS"} and result.proved, (result.status, result.failed, result.log[-2000:])
    assert "successful proof by k-induction" in result.log


@pytest.mark.parametrize("proof, mutant, prop, bounded_catches", UNBOUNDED_MUTANTS,
                         ids=[m.__name__ for _, m, _, _ in UNBOUNDED_MUTANTS])
def test_unbounded_proof_rejects_the_mutant(proof, mutant, prop, bounded_catches, tmp_path):
    """FAIL: a counterexample from reset within k cycles; UNKNOWN: the induction step fails on the property,
    which the real component's proof (same k) passes."""
    harness, depth = CASES[proof].build(mutant)
    result = prove(harness, tmp_path / "prove", dict(UNBOUNDED)[proof], name=mutant.__name__, mode="prove")
    assert result.status["prove"] in ("FAIL", "UNKNOWN") and prop in result.failed, (result.status, result.failed)
    if not bounded_catches:
        # its bug needs LATE_PUSHES pushes: more than the bounded check's cycles, so only the proof sees it
        assert depth < LATE_PUSHES
        bounded = prove(harness, tmp_path / "bounded", depth, name=mutant.__name__)
        assert bounded.status == {"bmc": "PASS", "cover": "PASS"} and result.induction_failed
