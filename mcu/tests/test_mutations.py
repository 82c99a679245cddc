"""The host proof must fail when the generated arithmetic is wrong: each mutation below breaks one piece of
the generator (patched while it runs) and the comparison with the *unmodified* golden model must find
mismatches. A comparison that passed these would prove nothing."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

import mcu.generate as generate
import mcu.plan as plan
from common.config import LayerConfig, ModelConfig, rounding_constant
from mcu.host import check_on_host
from mcu.stimulus import check_signal
from mcu.tools import McuError
from quantize.weights import random_network

from .conftest import require_host_compiler


def _network(scale: float, extremes: float, rounding: str = "half_up"):
    config = ModelConfig(layers=(LayerConfig(6, 3, 1), LayerConfig(4, 3, 2), LayerConfig(1, 2, 4)), name="mutated",
                         rounding=rounding)
    return random_network(config, np.random.default_rng(11), scale=scale, extremes=extremes)


def _mismatches(net, tmp_path) -> int:
    require_host_compiler()
    result, _ = check_on_host(net, check_signal(net.config, 2000, seed=3), tmp_path)
    return result.mismatches


def test_the_unmutated_networks_pass(tmp_path):
    assert _mismatches(_network(0.3, 0.0), tmp_path / "a") == 0
    assert _mismatches(_network(3.0, 0.05), tmp_path / "b") == 0


def test_a_changed_rounding_constant_fails(tmp_path):
    with mock.patch.object(plan, "rounding_constant", lambda config: rounding_constant(config) - 1):
        assert _mismatches(_network(0.3, 0.0), tmp_path) > 0


def test_a_missing_rounding_constant_fails(tmp_path):
    with mock.patch.object(plan, "rounding_constant", lambda config: 0):
        assert _mismatches(_network(0.3, 0.0), tmp_path) > 0


def test_one_changed_weight_fails(tmp_path):
    real = generate.weight_words

    def one_off(layer_plan, weights, pairs):
        words = real(layer_plan, weights, pairs)
        if layer_plan.index == 1:
            words[5] = (words[5] + 1) & 0xFFFFFFFF if pairs else words[5] + 1
        return words

    with mock.patch.object(generate, "weight_words", one_off):
        assert _mismatches(_network(0.3, 0.0), tmp_path) > 0


def test_one_tap_at_the_wrong_delay_fails(tmp_path):
    real = generate.tap_back

    def late(layer_plan, k):
        back = real(layer_plan, k)
        return back + 1 if (layer_plan.index, k) == (1, 2) else back  # the newest tap reads the sample before

    with mock.patch.object(generate, "tap_back", late):
        assert _mismatches(_network(0.3, 0.0), tmp_path) > 0


def test_wraparound_instead_of_saturation_fails(tmp_path):
    def wrap(var, low, high, wide=False):
        span = 2 * (high + 1)  # the format's 2**width codes
        lines = [f"{var} = (int32_t)(((uint32_t){var} + {high + 1}u) % {span}u) - {high + 1};"]
        return lines + ([f"if ({var} < 0) {var} = 0;"] if low == 0 else [])

    net = _network(3.0, 0.05)
    assert _mismatches(net, tmp_path / "saturating") == 0
    with mock.patch.object(generate, "saturation_lines", wrap):
        assert _mismatches(net, tmp_path / "wrapping") > 0


@pytest.mark.parametrize("rounding", ["half_up", "half_even"])
def test_a_narrower_accumulator_fails(tmp_path, rounding):
    """64-bit accumulators forced down to 32 bits where the plan proved they need more: the host run
    wraps (or the sanitizer stops it on the signed overflow); either way it must not pass."""
    real = plan._layer_plan

    def narrow(network, index, pairs):
        return real(network, index, pairs).__class__(**{**vars(real(network, index, pairs)), "accumulator_bits": 32,
                                                        "group": plan.GROUP_32, "shifted_fits_32": True})

    net = _network(3.0, 0.05, rounding)
    assert 64 in [lp.accumulator_bits for lp in plan.plan_network(net).layers]
    with mock.patch.object(plan, "_layer_plan", narrow):
        try:
            mismatches = _mismatches(net, tmp_path)
        except McuError as exc:  # the sanitizer stopped the run at the overflow
            assert "signed integer overflow" in str(exc)
            return
    assert mismatches > 0
