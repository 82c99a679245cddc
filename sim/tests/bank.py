"""A bank of small designs built into ONE simulator build per simulator: the pass-through stand-in (good
and corrupted), the three rtl components in probe wrappers, random networks, the networks of
:mod:`sim.tests.checks` (accumulator worst case, half_even ties, receptive-field gaps) and the RTL-side
mutations of one reference network. Compiling the Verilator model (its runtime library included) costs far
more than running a few hundred samples, so sharing the build keeps the test suite inside its time budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from common.config import ROUNDING_MODES, FixedFormat, LayerConfig, ModelConfig
from common.roles import CORE, INPUT_ROLES
from quantize.weights import QuantizedNetwork, random_network

from ..runner import Simulation
from .checks import check_networks, mutated_designs, plan_for

ROLES = tuple(INPUT_ROLES)
#: Random networks in the bank.
RANDOM_NETWORKS = 10


def random_config(rng: np.random.Generator, index: int) -> ModelConfig:
    """A small valid network: 1-3 layers, 1-6 filters, kernels 1-4, dilations up to what is covered,
    inputs drawn from every role (jack and derived), a random rounding mode and weight fraction bits.
    Config 0 is forced to ``half_up`` (the mutation tests change its rounding)."""
    layers = []
    covered = 1
    for _ in range(int(rng.integers(1, 4))):
        k = int(rng.integers(1, 5))
        d = 1 if k == 1 else int(rng.choice([x for x in (1, 2, 4, 8) if x <= covered]))
        layers.append(LayerConfig(filters=int(rng.integers(1, 7)), kernel_size=k, dilation=d))
        covered += (k - 1) * d
    rounding = "half_up" if index == 0 else str(rng.choice(ROUNDING_MODES))
    # the core, the role this index is sure to cover (so that the bank covers every role) and a random
    # choice of the others, in random order: the front end's derived roles come and go with them
    others = [role for role in ROLES if role != CORE]
    sure = others[index % len(others)]
    chosen = [role for role in others if role != sure and rng.random() < 0.3]
    inputs = [CORE, sure, *chosen]
    rng.shuffle(inputs)
    return ModelConfig(layers=tuple(layers), name=f"random{index}", inputs=tuple(inputs),
                       rounding=rounding, weight_format=FixedFormat(16, int(rng.choice([10, 12, 13]))))


def random_lanes(rng: np.random.Generator, config: ModelConfig) -> list[int]:
    return [int(rng.integers(1, lc.filters + 1)) for lc in config.layers]


@dataclass
class Entry:
    name: str
    index: int
    net: QuantizedNetwork | None = None
    plan: object = None
    extra: dict = field(default_factory=dict)


@dataclass
class Bank:
    sim: Simulation
    entries: dict[str, Entry]

    def __getitem__(self, name: str) -> Entry:
        return self.entries[name]

    def networks(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.name.startswith("random")]


def build_bank(directory: Path, simulator: str, *, random_networks: int = RANDOM_NETWORKS,
               components: bool = True, mutations: bool = True, seed: int = 20261123) -> Bank:
    from amaranth.back import verilog

    from rtl.activation_cache import ActivationCache
    from rtl.conv_layer import ConvLayer
    from rtl.generate import generate_verilog
    from rtl.shift_buffer import ShiftBuffer

    from .probes import HistoryProbe
    from .standin import PassThrough

    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    entries: dict[str, Entry] = {}
    sources: list[tuple[Path, str]] = []

    def add(name: str, text: str, module: str, **kwargs) -> Entry:
        path = directory / f"{module}.v"
        path.write_text(text)
        entry = Entry(name, len(sources), **kwargs)
        sources.append((path, module))
        entries[name] = entry
        return entry

    add("passthrough", verilog.convert(PassThrough(4, busy_cycles=5), name="passthrough"), "passthrough",
        extra={"busy": 5})
    add("corrupted", verilog.convert(PassThrough(4, busy_cycles=5, corrupt_from=37, corrupt_channel=2),
                                     name="corrupted"), "corrupted", extra={"corrupt_from": 37, "channel": 2})
    if components:
        cfg = ModelConfig(layers=(LayerConfig(5, 4, 1), LayerConfig(6, 3, 4)))
        add("shift_buffer", verilog.convert(HistoryProbe(ShiftBuffer, cfg, 3, 4, 1), name="probe_shift"),
            "probe_shift", extra={"channels": 3, "kernel": 4, "dilation": 1})
        add("activation_cache", verilog.convert(HistoryProbe(ActivationCache, cfg, 5, 3, 4), name="probe_cache"),
            "probe_cache", extra={"channels": 5, "kernel": 3, "dilation": 4})
        net = random_network(cfg, rng, scale=1.0, extremes=0.05)
        plan = plan_for(cfg, [2, 4])
        for index in (0, 1):
            add(f"conv_layer{index}", verilog.convert(ConvLayer(cfg, index, net.layers[index], plan.layers[index]),
                                                      name=f"conv{index}"), f"conv{index}",
                net=net, plan=plan, extra={"layer": index})
    for k in range(random_networks):
        cfg = random_config(rng, k)
        net = random_network(cfg, rng, scale=float(rng.choice([0.35, 1.0, 3.0])), extremes=0.05)
        plan = plan_for(cfg, random_lanes(rng, cfg))
        add(f"random{k}", generate_verilog(net, plan, name=f"random{k}", debug=True), f"random{k}", net=net, plan=plan)

    for name, net, plan in check_networks():
        add(name, generate_verilog(net, plan, name=name, debug=True), name, net=net, plan=plan)
    if mutations:
        for name, text, reference, plan, what in mutated_designs():
            add(name, text, name, net=reference, plan=plan, extra={"mutation": what})

    sim = Simulation([p for p, _ in sources], directory / "build", module=[m for _, m in sources],
                     simulator=simulator, cxx_opt="0")
    sim.build()
    return Bank(sim, entries)
