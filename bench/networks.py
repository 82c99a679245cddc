"""The bench set: which networks are measured, on which devices, at what clock and sample rate.

Every network is scheduled by ``rtl.plan.make_plan`` for the bench operating point (a 100 MHz network
clock, 192 kHz): the budget is ``floor(100e6 / 192e3) = 520`` cycles per sample, so a layer time-shares
each multiplier over up to ~513 products per sample. The set spans the prototype's size to the largest
network whose multipliers, block RAM and routing fit the 85F:

==========  ==========================  ========  =====================================================
name        config                      params    devices
==========  ==========================  ========  =====================================================
default     configs/default.toml        1,377     25F and 85F (the prototype's 16/16 network, 1 output)
medium      configs/bench/medium.toml   4,379     25F and 85F
large       configs/bench/large.toml    13,057    85F (needs 26 of the 25F's 28 multipliers but about
                                                  68 of its 56 block RAMs)
xlarge      configs/bench/xlarge.toml   50,689    85F (99 of 156 multipliers)
==========  ==========================  ========  =====================================================

Build times (2 shared cores): default and medium take 1-3 minutes per part; large ~8 minutes of yosys
and a place-and-route that did not finish within 25 minutes of routing (congestion: ~250 overused wires
left); xlarge spent over 16 minutes in yosys' Verilog frontend alone on its 4.5 MB Verilog (the weight
ROMs are written out as case statements), so a full ``make bench`` takes well over an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import ModelConfig, load_config
from common.devices import Device, ecp5_device

__all__ = ["BENCH_CLOCK_HZ", "BENCH_SAMPLE_RATE_HZ", "DEVICES", "NETWORKS", "BenchDevice", "BenchNetwork",
           "bench_network", "plan_for"]

#: The targets' operating point: a 100 MHz network clock at 192 kHz.
BENCH_CLOCK_HZ = 100_000_000
BENCH_SAMPLE_RATE_HZ = 192_000
#: Seed of the random weights the hardware is built with (weights change ROM contents, not structure).
WEIGHT_SEED = 2026


@dataclass(frozen=True)
class BenchDevice:
    """A part the bench builds for (``common.devices``), under the short name its results are kept by."""

    name: str
    device: Device
    #: Boards that carry it (for the report).
    boards: str

    @property
    def multipliers(self) -> int:
        return self.device.multipliers

    @property
    def block_rams(self) -> int:
        return self.device.block_rams

    @property
    def luts(self) -> int:
        return self.device.luts

    @property
    def nextpnr_flags(self) -> list[str]:
        return self.device.nextpnr_flags


DEVICES: dict[str, BenchDevice] = {d.name: d for d in (
    # ECPIX-5: LFE5UM5G-85F, speed 8 (the default board).
    BenchDevice("85f", ecp5_device("LFE5UM5G-85F", "CABGA554", 8), "ECPIX-5 (LFE5UM5G-85F-8)"),
    # ULX3S 85F: LFE5U-85F, speed 6 (the slowest 85F grade).
    BenchDevice("85f_s6", ecp5_device("LFE5U-85F", "CABGA381", 6), "ULX3S (LFE5U-85F-6)"),
    # Colorlight i5 / ULX3S 25F: LFE5U-25F, speed 6.
    BenchDevice("25f", ecp5_device("LFE5U-25F", "CABGA381", 6), "Colorlight i5 / ULX3S (LFE5U-25F-6)"),
)}


@dataclass(frozen=True)
class BenchNetwork:
    name: str
    config_path: str
    #: Devices it is built for, in build order.
    devices: tuple[str, ...]
    #: yosys LUT mapper (``bench.fpga.LUT_MAPPERS``): ``abc`` where yosys 0.70's abc9 asserts.
    lut_mapper: str = "abc9"

    @property
    def config(self) -> ModelConfig:
        return load_config(self.config_path)


NETWORKS: dict[str, BenchNetwork] = {n.name: n for n in (
    BenchNetwork("default", "configs/default.toml", ("25f", "85f")),
    BenchNetwork("medium", "configs/bench/medium.toml", ("25f", "85f")),
    BenchNetwork("large", "configs/bench/large.toml", ("85f",), lut_mapper="abc"),
    BenchNetwork("xlarge", "configs/bench/xlarge.toml", ("85f",), lut_mapper="abc"),
)}


def bench_network(name: str):
    """The bench network ``name`` as a ``QuantizedNetwork`` with fixed random weights."""
    from quantize.weights import random_network

    if name not in NETWORKS:
        raise KeyError(f"unknown bench network {name!r}; known: {sorted(NETWORKS)}")
    return random_network(NETWORKS[name].config, np.random.default_rng(WEIGHT_SEED))


def plan_for(config: ModelConfig, device: BenchDevice | None = None):
    """The schedule at the bench operating point, with the device's multipliers (85F's if none)."""
    from rtl.plan import make_plan

    multipliers = (device or DEVICES["85f"]).multipliers
    return make_plan(config, clock_hz=BENCH_CLOCK_HZ, sample_rate_hz=BENCH_SAMPLE_RATE_HZ, multipliers=multipliers)


def config_path(name: str) -> Path:
    return Path(NETWORKS[name].config_path)
