"""The proof on the host: the generated C, compiled with the machine's C compiler (strict C99, warnings as
errors, the undefined-behaviour sanitizer), equals the golden model on every output code."""

from __future__ import annotations

import numpy as np
import pytest

from common.roles import INPUT_ROLES
from mcu.generate import generate_c
from mcu.host import check_on_host
from mcu.plan import plan_network
from mcu.stimulus import check_signal
from quantize.weights import QuantizedNetwork

from .conftest import require_host_compiler
from .networks import random_networks

#: The random networks and their signal length.
NETWORKS, SAMPLES = 16, 3000


@pytest.fixture(scope="module")
def networks():
    return random_networks(NETWORKS, seed=20261207)


def test_the_random_networks_cover_what_they_claim(networks):
    configs = [net.config for net in networks]
    assert {role for c in configs for role in c.inputs} == set(INPUT_ROLES)
    assert any(set(c.inputs) == set(INPUT_ROLES) for c in configs)
    assert {c.rounding for c in configs} == {"half_up", "floor", "half_even"}
    widths = {w for c in configs for w in (c.weight_format.width, c.data_format.width)}
    assert {12, 18} <= widths and widths <= set(range(12, 19))
    assert any(lc.dilation > 1 + sum(p.history for p in c.layers[:i]) for c in configs
               for i, lc in enumerate(c.layers) if lc.kernel_size > 1)  # a receptive-field gap
    forms = {(plan.pairs, lp.accumulator_bits) for plan in map(plan_network, networks) for lp in plan.layers}
    assert forms == {(True, 32), (True, 64), (False, 32), (False, 64)}


def test_random_networks_bit_exact(networks, tmp_path):
    require_host_compiler()
    for net in networks:
        result, sanitized = check_on_host(net, check_signal(net.config, SAMPLES, seed=len(net.config.inputs)),
                                          tmp_path / net.config.name)
        assert sanitized
        assert result.samples_checked == SAMPLES and result.replayed_after_reset == 500
        assert result.mismatches == 0, f"{net.config.name}: {result.first}"


@pytest.mark.slow
def test_trained_default_model_bit_exact_over_192000_samples(trained_weights, tmp_path):
    require_host_compiler()
    net = QuantizedNetwork.load(trained_weights)
    result, _ = check_on_host(net, check_signal(net.config, 192_000), tmp_path)
    assert (result.samples_checked, result.mismatches) == (192_000, 0), result.first


def test_the_header_describes_the_network(networks):
    net = networks[0]
    header = generate_c(net).header
    cfg = net.config
    assert f"#define WS_SAMPLE_RATE_HZ {cfg.sample_rate_hz}" in header
    assert f"#define WS_LOOKAHEAD {cfg.lookahead}" in header
    assert "#define WS_JACKS 3" in header and "#define WS_JACK_E1 2" in header
    assert f"#define WS_OUTPUTS {cfg.n_outputs}" in header
    for api in ("void ws_init(void);", "void ws_reset(void);", "void ws_process(", "void ws_process_block("):
        assert api in header


def test_no_heap_and_static_state(networks):
    source = generate_c(networks[0]).source
    assert "malloc" not in source and "free(" not in source
    file_scope = [line for line in source.splitlines() if line[:1].isalpha() and not line.startswith("typedef")
                  and (line.endswith(";") or line.endswith("= {"))]  # objects declared at file scope
    assert file_scope and all(line.startswith("static ") for line in file_scope)


def test_the_stimulus_exercises_the_front_end_and_saturation():
    from common.config import load_config

    cfg = load_config("configs/default.toml")
    jacks = check_signal(cfg, 20_000)
    core = jacks[:, 0]
    assert core.min() == cfg.data_format.min_int and core.max() == cfg.data_format.max_int  # the random tail
    turns = np.count_nonzero(np.diff(np.sign(np.diff(core[:18_000]))) != 0)
    assert turns >= 20  # the sweeps: a triangle at many pitches (20 ms of it at 192 kHz)


def test_the_stimulus_exercises_the_phase():
    """The random networks' check signal makes ``phase`` turn, climb from near -1.0 past 0 within measured
    halves, and saturate the counts in none of it (so every branch but saturation is compared; the
    saturation is compared in ``rtl/tests/test_front_end.py`` against the same golden model)."""
    from dataclasses import replace

    from common.config import load_config
    from common.front_end import network_inputs

    cfg = load_config("configs/default.toml")
    cfg = replace(cfg, inputs=(*cfg.inputs, "phase"))
    codes, state = network_inputs(cfg, check_signal(cfg, SAMPLES, seed=len(cfg.inputs)))
    phase = codes[:, -1]
    assert (np.diff(phase) < -cfg.data_format.scale).sum() >= 10  # turns: back to near -1.0
    assert (phase > 0).sum() > SAMPLES // 10 and state.half_rise < cfg.front_end.PHASE_COUNT_MAX
