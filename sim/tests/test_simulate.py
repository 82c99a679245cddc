"""The runner and comparison on the stand-in, the rtl components against the golden model's pieces, and
random networks end to end, under Verilator (one shared build: ``verilator_bank``)."""

from __future__ import annotations

import numpy as np
import pytest

from common.roles import INPUT_ROLES
from quantize.golden import RingCache, conv_step, run_waveshaper
from sim.check import check_design, lead_for
from sim.compare import compare
from sim.stimulus import random_codes

from .helpers import assert_bit_exact, identity_golden, random_vectors
from .probes import golden_history

pytestmark = pytest.mark.slow


# -- stand-in: the infrastructure itself -----------------------------------------------------------------

def test_passthrough_streams_bit_exact_with_its_timing(verilator_bank):
    entry = verilator_bank["passthrough"]
    x = random_vectors(np.random.default_rng(1), 400, 4)
    stream = verilator_bank.sim.run(x, lead=4, design=entry.index)
    assert compare(identity_golden(x), stream).ok
    # Known by construction: output valid busy_cycles after the handshake, ready again one cycle later.
    assert stream.cycles_per_sample() == entry.extra["busy"] + 1
    serial = verilator_bank.sim.run(x[:50], lead=1, design=entry.index)
    assert serial.latency_cycles() == entry.extra["busy"]
    assert np.array_equal(serial.layers[0], x[:50])
    assert serial.layer_counts.tolist() == [50]


def test_corrupted_hardware_is_caught_at_the_right_sample(verilator_bank):
    entry = verilator_bank["corrupted"]
    x = random_vectors(np.random.default_rng(2), 100, 4)
    run = verilator_bank.sim.run(x, lead=1, design=entry.index)
    result = compare(identity_golden(x), run)
    assert not result.ok
    assert result.first_failing_sample == entry.extra["corrupt_from"]
    assert result.first_divergence == (
        f"first divergence at sample {entry.extra['corrupt_from']}, layer 0, channel {entry.extra['channel']}: "
        f"golden {x[entry.extra['corrupt_from'], entry.extra['channel']]}, "
        f"got {x[entry.extra['corrupt_from'], entry.extra['channel']] + 1}")


# -- components against the golden model's pieces -------------------------------------------------------

@pytest.mark.parametrize("name", ["shift_buffer", "activation_cache"])
def test_history_matches_ring_cache(verilator_bank, name):
    entry = verilator_bank[name]
    e = entry.extra
    x = random_vectors(np.random.default_rng(3), 300, e["channels"])
    run = verilator_bank.sim.run(x, lead=4, design=entry.index)
    expected = golden_history(x, e["kernel"], e["dilation"])
    assert run.timeout_at == -1
    bad = np.argwhere(run.outputs != expected)
    assert len(bad) == 0, f"first difference at sample {bad[0][0]}, lane {bad[0][1]}"


@pytest.mark.parametrize("layer", [0, 1])
def test_conv_layer_matches_conv_step(verilator_bank, layer):
    entry = verilator_bank[f"conv_layer{layer}"]
    cfg, net, lp = entry.net.config, entry.net, entry.plan.layers[layer]
    cin = cfg.in_channels(layer)
    x = random_vectors(np.random.default_rng(4 + layer), 300, cin)
    cache = RingCache(cin, cfg.layers[layer].history + 1)
    expected = []
    for vector in x:
        cache.push(vector)
        expected.append(conv_step(cfg, layer, net.layers[layer].weights, net.layers[layer].bias, cache))
    expected = np.array(expected)
    run = verilator_bank.sim.run(x, lead=6, design=entry.index)
    bad = np.argwhere(run.outputs != expected)
    assert len(bad) == 0, f"first difference at sample {bad[0][0]}, channel {bad[0][1]}"
    assert run.cycles_per_sample() == lp.cycles
    serial = verilator_bank.sim.run(x[:20], lead=1, design=entry.index)
    assert serial.latency_cycles() == lp.latency_cycles


# -- whole networks --------------------------------------------------------------------------------------

def test_bank_has_enough_random_networks(verilator_bank):
    nets = verilator_bank.networks()
    assert len(nets) >= 10
    assert {e.net.config.rounding for e in nets} == {"half_up", "floor", "half_even"}, "rounding modes not covered"
    covered = {role for e in nets for role in e.net.config.inputs}
    assert covered == set(INPUT_ROLES), f"input roles not covered: {set(INPUT_ROLES) - covered}"
    assert len({e.net.config.inputs.index("core") for e in nets}) > 1, "the core always on the same channel"


@pytest.mark.parametrize("k", range(10))
def test_random_network_bit_exact(verilator_bank, k):
    entry = verilator_bank[f"random{k}"]
    codes = random_codes(entry.net.config, 400, np.random.default_rng(100 + k), extremes=0.1)
    result = check_design(verilator_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                          serial_samples=150)
    assert_bit_exact(result)
    assert result.stream.lead == lead_for(entry.plan)


# -- mutations: the comparison must fail ------------------------------------------------------------------

@pytest.fixture(scope="module")
def half_up_run(verilator_bank):
    entry = verilator_bank["random0"]
    assert entry.net.config.rounding == "half_up"
    codes = random_codes(entry.net.config, 300, np.random.default_rng(7), extremes=0.1)
    return entry, codes


def test_mutated_weight_fails(verilator_bank, half_up_run):
    from quantize.weights import QuantizedLayer, QuantizedNetwork

    entry, codes = half_up_run
    net = entry.net
    layers = list(net.layers)
    w = layers[0].weights.copy()
    w[-1, 0, 0] = w[-1, 0, 0] + 1 if w[-1, 0, 0] < net.config.weight_format.max_int else w[-1, 0, 0] - 1
    layers[0] = QuantizedLayer(w, layers[0].bias)
    wrong = QuantizedNetwork(net.config, tuple(layers))
    result = check_design(verilator_bank.sim, net, entry.plan, codes, design=entry.index, serial=True,
                          golden=run_waveshaper(wrong, codes))
    with pytest.raises(AssertionError, match="layer 0, channel 0"):
        assert_bit_exact(result)


def test_wrong_rounding_mode_fails(verilator_bank, half_up_run):
    from quantize.weights import QuantizedNetwork

    entry, codes = half_up_run
    wrong = QuantizedNetwork(entry.net.config.replace(rounding="floor"), entry.net.layers)
    result = check_design(verilator_bank.sim, entry.net, entry.plan, codes, design=entry.index, serial=True,
                          golden=run_waveshaper(wrong, codes))
    with pytest.raises(AssertionError, match="first divergence at sample"):
        assert_bit_exact(result)
    assert result.comparison.mismatches > 0 or result.comparison.first_divergence
