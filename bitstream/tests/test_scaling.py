"""Board-edge scaling: the constants against the stated ratios, the Python reference against the
hardware (amaranth.sim, every sample equal), saturation at both ends, channel roles and the dry path."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
from amaranth.sim import Simulator

from bitstream.input_scaler import InputScaler
from bitstream.jacks import JACK_OF_ROLE, input_jacks, output_sources
from bitstream.output_scaler import OutputScaler
from bitstream.scaling import input_scale, output_scale
from common.roles import JACK_ROLES

from .helpers import collect_vectors, send_vectors, small_config

EXTREMES = [-32768, -32767, -1, 0, 1, 32767]


def test_constants_match_the_stated_scales():
    cfg = small_config()
    k_in, k_out = input_scale(cfg), output_scale(cfg)
    # 4000 counts/V at the codec, 4096 codes = 5 V in the network (written out independently here).
    assert k_in.ratio == Fraction(4096, 4000 * 5)
    assert k_out.ratio == Fraction(4000 * 5, 4096)
    assert (k_out.multiplier, k_out.shift) == (625, 7)          # 20000/4096 = 625/128 exactly
    assert k_in.multiplier < 1 << 17                              # fits a signed 18-bit DSP operand
    assert abs(k_in.relative_error) < 5e-6
    # 5 V (20000 counts) is exactly 1.0 (4096 codes) in, and back out.
    assert k_in.apply(20000) == 4096 and k_out.apply(4096) == 20000
    assert k_in.apply(-20000) == -4096 and k_out.apply(-4096) == -20000


def test_reference_rounds_half_up_and_saturates():
    cfg = small_config()
    k_out = output_scale(cfg)
    # 1 code = 4.8828125 counts -> 5; 2 codes = 9.765625 -> 10; -1 -> -4.88 -> -5
    assert list(k_out.apply(np.array([1, 2, -1]))) == [5, 10, -5]
    # 6710 codes = 32763.67 counts fits, 6711 = 32768.55 saturates (never wraps to negative).
    assert k_out.apply(6711) == 32767 and k_out.apply(-6711) == -32768 and k_out.apply(32767) == 32767
    assert k_out.apply(-32768) == -32768
    k_in = input_scale(cfg)
    exact = np.floor(np.array(EXTREMES) * float(Fraction(4096, 20000)) + 0.5)
    assert np.all(np.abs(k_in.apply(np.array(EXTREMES)) - exact) <= 1)


def test_roles():
    cfg = small_config()
    assert input_jacks(cfg) == [0, 1, 2]
    assert output_sources(cfg) == [0, "dry", None, None]
    # The front end's input carries the jack roles the network uses, core first: derived roles need no jack.
    assert input_jacks(small_config(inputs=("zero", "e1", "direction", "core"))) == [0, 2]


def test_every_input_role_has_a_source():
    """The jack table covers exactly the jack roles (common/roles.py): a new one needs a source here before
    a board can run it, and no jack feeds a role the other stages do not know."""
    assert set(JACK_OF_ROLE) == set(JACK_ROLES)
    jacks = list(JACK_OF_ROLE.values())
    assert len(set(jacks)) == len(jacks) and all(0 <= jack < 4 for jack in jacks)


def _run_input_scaler(cfg, vectors, seed=0):
    dut = InputScaler(cfg)
    rng = random.Random(seed)
    got, dry = [], []

    async def source(ctx):
        await send_vectors(ctx, dut.i, vectors, rng)

    async def sink(ctx):
        for _ in range(200_000):
            if len(got) >= len(vectors):
                return
            ready = rng.random() > 0.3
            ctx.set(dut.o.ready, ready)
            _, _, valid, payload, d = await ctx.tick().sample(dut.o.valid, dut.o.payload, dut.dry)
            if ready and valid:
                got.append([int(payload[i]) for i in range(len(input_jacks(cfg)))])
                dry.append(int(d))

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(source)
    sim.add_testbench(sink)
    sim.run()
    return got, dry


def test_input_scaler_matches_reference():
    cfg = small_config()
    rng = np.random.default_rng(1)
    vectors = [list(v) for v in rng.integers(-32768, 32768, size=(40, 4))]
    vectors += [[a, b, c, 7] for a, b, c in zip(EXTREMES, EXTREMES[::-1], EXTREMES[2:] + EXTREMES[:2], strict=True)]
    got, dry = _run_input_scaler(cfg, vectors)
    k = input_scale(cfg)
    x = np.array(vectors, dtype=np.int64)
    # jack roles core, e0, e1 from jacks 0, 1, 2; jack 3 feeds nothing
    expected = np.stack([k.apply(x[:, 0]), k.apply(x[:, 1]), k.apply(x[:, 2])], axis=1)
    assert np.array_equal(np.array(got), expected)
    assert dry == [v[0] for v in vectors]


def test_input_scaler_saturates_with_a_small_data_format():
    # FP2.6 (8 bits, 1.0 = 64 codes) at 0.25 V per unit: a full-scale input (8.19 V = 32.8 units = 2097
    # codes) must clamp to 127 / -128 instead of wrapping.
    from common.config import FixedFormat
    cfg = small_config(data_format=FixedFormat(8, 6), weight_format=FixedFormat(8, 6), volts_per_unit=0.25)
    vectors = [[32767, -32768, 1000, 0], [-32768, 32767, -1000, 0], [62, -63, 0, 0]]
    got, _ = _run_input_scaler(cfg, vectors)
    k = input_scale(cfg)
    assert got[0][:3] == [127, -128, int(k.apply(1000))] and got[1][:3] == [-128, 127, int(k.apply(-1000))]
    assert got[2][:2] == [int(k.apply(62)), int(k.apply(-63))]


def test_output_scaler_matches_reference_and_saturates():
    cfg = small_config()
    dut = OutputScaler(cfg)
    rng = random.Random(3)
    nets = [[v] for v in [-32768, -6711, -6710, -1, 0, 1, 6710, 6711, 32767]]
    nets += [[rng.randrange(-32768, 32768)] for _ in range(30)]
    drys = [rng.randrange(-32768, 32768) for _ in nets]
    got = []

    async def net_source(ctx):
        await send_vectors(ctx, dut.i, nets, rng)

    async def dry_source(ctx):
        await send_vectors(ctx, dut.dry, drys, rng, gap=0.7)

    async def sink(ctx):
        await collect_vectors(ctx, dut.o, len(nets), got, rng)

    sim = Simulator(dut)
    sim.add_clock(1e-8)
    sim.add_testbench(net_source)
    sim.add_testbench(dry_source)
    sim.add_testbench(sink)
    sim.run()
    k = output_scale(cfg)
    expected = [[int(k.apply(n[0])), d, 0, 0] for n, d in zip(nets, drys, strict=True)]
    assert got == expected
    assert got[0][0] == -32768 and got[8][0] == 32767 and got[7][0] == 32767  # clamped, not wrapped
