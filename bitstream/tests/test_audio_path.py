"""AudioPath (input scaling -> generated Waveshaper (front end + network) -> output scaling, dry FIFO)
against the golden model: every DAC vector equal, as integers, to the documented scaling around
``quantize.golden.run_waveshaper``."""

from __future__ import annotations

import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from bitstream.audio_path import AudioPath
from bitstream.top import dry_fifo_depth
from boards.audio_edge.network_domain import NetworkDomain
from quantize.weights import random_network
from rtl.plan import make_plan
from rtl.waveshaper import Waveshaper

from .helpers import collect_vectors, expected_dac, send_vectors, small_config


@pytest.mark.parametrize("lookahead,network_domain", [(0, False), (2, False), (2, True)])
def test_audio_path_bit_exact_against_golden(lookahead, network_domain):
    """With ``network_domain`` the network runs behind NetworkDomain's stream crossings on its own clock,
    at the ECPIX-5's ratio (127.83 MHz against sync's 91.30 MHz, unrelated phases in the simulator)."""
    cfg = small_config(lookahead=lookahead)
    net = random_network(cfg, np.random.default_rng(7), scale=0.05)  # outputs inside the DAC range
    clock_hz = 127_826_086 if network_domain else 91_304_347
    plan = make_plan(cfg, clock_hz=clock_hz, sample_rate_hz=192_047, multipliers=20)
    network = Waveshaper(net, plan)
    if network_domain:
        network = NetworkDomain(network)
    dut = AudioPath(cfg, network, dry_depth=dry_fifo_depth(plan, network_domain=network_domain))
    rng = np.random.default_rng(8)
    adc = rng.integers(-32768, 32768, size=(48, 4))
    adc[5] = [32767, 32767, 32767, 32767]
    adc[6] = [-32768, -32768, -32768, -32768]
    adc[7:12, 1:3] = 0                                   # unplugged CV jacks read 0: the (0, 0) corner
    pyrng = random.Random(9)
    got: list = []

    async def source(ctx):
        await send_vectors(ctx, dut.adc, [list(map(int, v)) for v in adc], pyrng, gap=0.95)

    async def sink(ctx):
        await collect_vectors(ctx, dut.dac, len(adc), got, pyrng, stall=0.5)

    sim = Simulator(dut)
    sim.add_clock(1 / 91_304_347)
    if network_domain:
        sim.add_clock(1 / 127_826_086, domain="network", phase=0.37 / 127_826_086)
    sim.add_testbench(source)
    sim.add_testbench(sink)
    sim.run()
    expected = expected_dac(net, adc.astype(np.int64))
    got = np.array(got, dtype=np.int64)
    mismatch = np.argwhere(got != expected)
    assert mismatch.size == 0, f"first mismatch at sample {mismatch[0][0]}: {got[mismatch[0][0]]} != " \
                               f"{expected[mismatch[0][0]]}"
    # The stretch exercises the linear range of the output scaling (saturation: test_scaling.py).
    assert np.sum(np.abs(expected[:, 0]) < 32767) > 30 and len(np.unique(expected[:, 0])) > 30
