"""The scheduler: how many multipliers (lanes) each layer gets so that one sample fits the cycle budget.

Hardware model (exactly what ``rtl/conv_layer.py`` and its lanes, ``rtl/lane.py``, build, and what the tests
measure):

* Every layer is an independent engine; layers are connected by streams and pipeline across samples,
  so each layer has the whole budget of ``cycle_budget = floor(clock_hz / sample_rate_hz)`` cycles.
* A layer with ``P`` lanes computes its ``Cout`` outputs in ``G = ceil(Cout / P)`` groups; a group is
  ``K * Cin`` multiply-accumulate steps, one per cycle, each step one cache read broadcast to the ``P``
  multipliers. So a sample takes ``mac_cycles = G * K * Cin`` issue cycles.
* Its initiation interval is ``cycles = mac_cycles + LAYER_OVERHEAD_CYCLES`` (accept cycle + read,
  multiply and accumulate pipeline + requantize stages; see ``conv_layer.py`` and ``lane.py``), and its output is valid
  ``latency_cycles = mac_cycles + LAYER_LATENCY_OVERHEAD`` cycles after the input was accepted.
* After reset each block-RAM cache clears itself, one word per cycle, and layer ``i`` leaves reset
  ``i + LAYER_RESET_DELAY`` cycles after the network, so the first input is accepted ``reset_cycles`` (the
  latest layer's reset delay plus its cache's word count) after reset.
* The network's ``cycles_per_sample`` (its initiation interval) is the maximum over the layers, its
  ``latency_cycles`` (input accepted -> output valid) the sum of the layers' latencies.

The scheduler gives each layer the fewest lanes that meet the budget (layers are independent, so this
also minimises the total) and raises :class:`PlanError` with numbers for what would fit otherwise.

Given a ``device`` (``common.devices.Device``) and what the rest of the design uses there (``reserved``),
the plan also carries the resource estimate of ``rtl/resources.py`` (multipliers, block RAM, LUTs,
flip-flops) and refuses, before anything is generated, a network whose estimate does not fit the part,
with the numbers. Its ``capacity`` figures compare the work with what the multipliers can do: the network
needs ``macs_per_sample`` multiply-accumulates per sample; the planned lanes can do ``multipliers x
cycle_budget``; the multipliers it may use could do at most ``multiplier_budget x clock_hz /
sample_rate_hz`` (the physical limit); the efficiency is the first over the second.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from amaranth.utils import ceil_log2

from common.config import ModelConfig
from common.devices import Device

from .resources import Estimate, Resources
from .resources import estimate as estimate_resources
from .timing import (
    FRONT_END_LATENCY,
    FRONT_END_MULTIPLIERS,
    HISTORY_READ_LATENCY,
    LAYER_LATENCY_OVERHEAD,
    LAYER_OVERHEAD_CYCLES,
    LAYER_RESET_DELAY,
    front_end_cycles,
    uses_division,
)

__all__ = [
    "COEFFICIENT_SLICE_WORDS",
    "HISTORY_READ_LATENCY",
    "LAYER_LATENCY_OVERHEAD",
    "LAYER_OVERHEAD_CYCLES",
    "FRONT_END_LATENCY",
    "FRONT_END_MULTIPLIERS",
    "LAYER_RESET_DELAY",
    "LayerPlan",
    "PLAN_FORMAT",
    "Plan",
    "PlanError",
    "cache_geometry",
    "front_end_cycles",
    "make_plan",
    "uses_division",
]

#: A lane's coefficient memory (its weights, then its biases) is a whole number of 512-word slices, every
#: word filled: Project Trellis' ``ecpbram`` finds a memory in a routed design by the 512-bit columns of its
#: initial contents (one bit of 512 consecutive words), and replaces them with new weights without
#: synthesis or place-and-route (``boards/toolchain/weight_swap.py``). One ECP5 block RAM holds two such slices of
#: up to 18-bit words, so the padding costs no block RAM.
COEFFICIENT_SLICE_WORDS = 512


class PlanError(ValueError):
    """The requested rate cannot be met with the given clock and multipliers (the message says what fits), or a
    plan read back from ``plan.json`` is not one this version wrote (the message names the field)."""


#: The ``format`` field of ``plan.json``: a plan read back must carry this one, so a plan from another version of
#: the fields (an older one had no reset or front-end cycles, which would read back as 0) is refused, not
#: trusted. Change it whenever a field is added, removed or changes meaning.
PLAN_FORMAT = "waveshaper-plan/2"


def _check_fields(where: str, data: dict[str, Any], types: dict[str, str]) -> None:
    """Every field of ``types`` (dataclass field name -> annotation) present, no other, and each of its type:
    ``int`` a whole number (not a boolean) >= 0, ``str`` a string."""
    unknown = sorted(set(data) - set(types))
    if unknown:
        raise PlanError(f"{where}{unknown[0]}: unknown plan field")
    for name, annotation in types.items():
        if name not in data:
            raise PlanError(f"{where}{name}: missing")
        value = data[name]
        if annotation == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise PlanError(f"{where}{name}: must be a non-negative integer, got {value!r}")
        if annotation == "str" and not isinstance(value, str):
            raise PlanError(f"{where}{name}: must be a string, got {value!r}")


def cache_geometry(config: ModelConfig, index: int) -> tuple[str, int, int]:
    """``(kind, depth, bits)`` of layer ``index``'s input history.

    Layer 0 keeps its short input history in registers (``ShiftBuffer``, ``history + 1`` vectors).
    The others use a block-RAM ring buffer (``ActivationCache``) of a power-of-two number of slots
    (so the wrapping pointer is free) times a power-of-two number of channel words (address =
    ``{slot, channel}``); the newest vector also sits in a register, so ``history == 0`` needs no RAM.
    """
    layer = config.layers[index]
    cin = config.in_channels(index)
    width = config.data_format.width
    if index == 0:
        depth = layer.history + 1
        return "registers", depth, depth * cin * width
    if layer.history == 0:
        return "block_ram", 0, 0
    depth = 1 << ceil_log2(layer.history + 1)
    return "block_ram", depth, depth * (1 << ceil_log2(cin)) * width


@dataclass
class LayerPlan:
    index: int
    in_channels: int
    out_channels: int
    kernel_size: int
    dilation: int
    #: Multipliers of this layer; output channel o is computed by lane o % lanes in group o // lanes.
    lanes: int
    groups: int
    #: Multiply-accumulate issue cycles per sample: groups * kernel_size * in_channels.
    mac_cycles: int
    #: Initiation interval of this layer (cycles between accepted inputs when it is the bottleneck).
    cycles: int
    #: Input accepted -> output valid.
    latency_cycles: int
    cache_kind: str
    #: Vectors (slots) the history holds.
    cache_depth: int
    #: Bits of the history storage (block RAM for ``block_ram``, flip-flops for ``registers``).
    cache_bits: int
    #: Coefficient words of one lane: its weights in step order (mac_cycles), then one bias per group.
    coefficient_words: int
    #: Words of each lane's coefficient memory: coefficient_words rounded up to COEFFICIENT_SLICE_WORDS.
    coefficient_depth: int
    #: Coefficient memory bits: lanes x coefficient_depth words of weight_format.width.
    rom_bits: int
    #: Block-RAM-class memory of this layer: RAM cache bits + coefficient memory bits.
    memory_bits: int
    accumulator_bits: int
    #: Cycles after reset during which the cache clears its RAM (one word per cycle) and takes no input.
    clear_cycles: int = 0


@dataclass
class Plan:
    config_name: str
    clock_hz: int
    sample_rate_hz: int
    #: floor(clock_hz / sample_rate_hz): cycles between two codec samples.
    cycle_budget: int
    #: The network's initiation interval: the fewest cycles between accepted inputs (max over layers).
    cycles_per_sample: int
    #: Multipliers used (sum of lanes; one MULT18X18D each) and the budget they were planned against.
    multipliers: int
    multiplier_budget: int
    #: Block-RAM-class bits: RAM caches + coefficient memories.
    memory_bits: int
    #: Input accepted -> output valid, pipeline not stalled (sum over layers).
    latency_cycles: int
    #: Whole sample periods the output lags at the budget spacing: 0 if the output for input t is valid
    #: before input t+1 arrives, n if it is valid before input t+n+1 (latency_cycles // cycle_budget).
    latency_samples: int
    layers: list[LayerPlan] = field(default_factory=list)
    #: Cycles after reset before the first input is accepted (the caches clear their RAM).
    reset_cycles: int = 0
    #: Multiply-accumulates one sample needs (``ModelConfig.macs_per_sample``).
    macs_per_sample: int = 0
    #: The resource estimate (``rtl/resources.py``), against a device when one was given.
    estimate: Estimate | None = None
    #: The front end ahead of the layers (``rtl/front_end.py``): its initiation interval, latency and
    #: multipliers. ``cycles_per_sample``, ``latency_cycles`` and ``multipliers`` above are the layers'.
    front_end_cycles: int = 0
    front_end_latency: int = 0
    front_end_multipliers: int = 0

    @property
    def signal_path_cycles(self) -> int:
        """Cycles between accepted samples of the whole signal path (front end and layers)."""
        return max(self.cycles_per_sample, self.front_end_cycles)

    @property
    def signal_path_latency(self) -> int:
        """Sample taken by the front end -> network output valid, pipeline not stalled."""
        return self.latency_cycles + self.front_end_latency

    @property
    def lanes(self) -> list[int]:
        return [layer.lanes for layer in self.layers]

    @property
    def capacity_macs_per_sample(self) -> int:
        """What the planned lanes can do per sample: ``multipliers x cycle_budget``."""
        return self.multipliers * self.cycle_budget

    @property
    def physical_limit_macs_per_sample(self) -> float:
        """What the multipliers the network may use could do per sample at this clock and rate."""
        return self.multiplier_budget * self.clock_hz / self.sample_rate_hz

    @property
    def efficiency(self) -> float:
        """Multiply-accumulates needed over those the planned lanes can do (1.0: no multiplier idles)."""
        return self.macs_per_sample / self.capacity_macs_per_sample

    def capacity_dict(self) -> dict[str, Any]:
        return {"macs_per_sample": self.macs_per_sample,
                "capacity_macs_per_sample": self.capacity_macs_per_sample,
                "physical_limit_macs_per_sample": round(self.physical_limit_macs_per_sample),
                "multipliers": self.multipliers, "multiplier_budget": self.multiplier_budget,
                "efficiency": round(self.efficiency, 3),
                "share_of_physical_limit": round(self.macs_per_sample / self.physical_limit_macs_per_sample, 3)}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["estimate"] = None if self.estimate is None else self.estimate.to_dict()
        return data

    def to_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"format": PLAN_FORMAT, **self.to_dict()}, indent=2) + "\n")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """A plan from :meth:`to_dict`'s fields, each checked (:class:`PlanError` names the first wrong one)."""
        if not isinstance(data, dict):
            raise PlanError(f"a plan must be a JSON object of fields, got {type(data).__name__}")
        data = dict(data)
        _check_fields("", data, {f.name: f.type for f in fields(cls)})
        layers = data["layers"]
        if not isinstance(layers, list) or not layers:
            raise PlanError(f"layers: must be a non-empty list of layer plans, got {layers!r}")
        for i, layer in enumerate(layers):
            if not isinstance(layer, dict):
                raise PlanError(f"layers[{i}]: must be an object of layer-plan fields, got {layer!r}")
            _check_fields(f"layers[{i}].", layer, {f.name: f.type for f in fields(LayerPlan)})
            if layer["cache_kind"] not in ("registers", "block_ram"):
                raise PlanError(f"layers[{i}].cache_kind: must be 'registers' or 'block_ram', "
                                f"got {layer['cache_kind']!r}")
            for name in ("lanes", "groups", "mac_cycles", "cycles", "latency_cycles", "in_channels", "out_channels",
                         "kernel_size", "dilation", "accumulator_bits"):
                if layer[name] < 1:
                    raise PlanError(f"layers[{i}].{name}: must be at least 1, got {layer[name]}")
        for name in ("clock_hz", "sample_rate_hz", "cycle_budget", "cycles_per_sample", "multipliers",
                     "multiplier_budget", "latency_cycles", "macs_per_sample", "front_end_cycles",
                     "front_end_latency"):
            if data[name] < 1:
                raise PlanError(f"{name}: must be at least 1, got {data[name]}")
        if data["reset_cycles"] < 1:
            raise PlanError(f"reset_cycles: must be at least 1 (the input is held while every layer leaves reset "
                            f"and its history clears), got {data['reset_cycles']}")
        if data["cycle_budget"] != data["clock_hz"] // data["sample_rate_hz"]:
            raise PlanError(f"cycle_budget: {data['cycle_budget']} is not clock_hz // sample_rate_hz = "
                            f"{data['clock_hz'] // data['sample_rate_hz']}")
        if data["multipliers"] != sum(layer["lanes"] for layer in layers):
            raise PlanError(f"multipliers: {data['multipliers']} is not the sum of the layers' lanes "
                            f"{[layer['lanes'] for layer in layers]}")
        data["layers"] = [LayerPlan(**layer) for layer in layers]
        if data["estimate"] is not None:
            try:
                data["estimate"] = Estimate.from_dict(data["estimate"])
            except (TypeError, KeyError, AttributeError) as exc:
                raise PlanError(f"estimate: not a resource estimate ({type(exc).__name__}: {exc})") from exc
        return cls(**data)

    @classmethod
    def from_json(cls, path: str | Path) -> Plan:
        """A plan written by :meth:`to_json` (by ``make rtl``). One written by another version of the format, or
        a file that is not a plan, raises :class:`PlanError` naming the file and what to do."""
        path = Path(path)
        again = "rerun `make rtl` to write it again"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError as exc:
            raise PlanError(f"{path} does not exist: run `make rtl` first") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: not valid JSON ({exc}); {again}") from exc
        if not isinstance(data, dict):
            raise PlanError(f"{path}: not a plan (a JSON object); {again}")
        written = data.pop("format", None)
        if written != PLAN_FORMAT:
            what = "has no 'format' field" if written is None else f"has format {written!r}"
            raise PlanError(f"{path} {what}: it was written by another version of the generator, which this one "
                            f"({PLAN_FORMAT!r}) cannot trust; {again}")
        try:
            return cls.from_dict(data)
        except PlanError as exc:
            raise PlanError(f"{path}: {exc}; {again}") from exc

    def check_config(self, config: ModelConfig) -> None:
        """Raise :class:`PlanError` unless this plan schedules ``config``'s layers (same shapes, in order) with the
        front-end and reset cycles this generator's hardware takes for it."""
        if len(self.layers) != len(config.layers):
            raise PlanError(f"plan has {len(self.layers)} layers, network has {len(config.layers)}")
        for i, (lp, lc) in enumerate(zip(self.layers, config.layers, strict=True)):
            if (lp.in_channels, lp.out_channels, lp.kernel_size, lp.dilation) != (
                    config.in_channels(i), lc.filters, lc.kernel_size, lc.dilation):
                raise PlanError(f"plan layer {lp.index} does not match the network's config "
                                f"(plan {lp.kernel_size}x{lp.in_channels}->{lp.out_channels} d={lp.dilation}, "
                                f"config {lc.kernel_size}x{config.in_channels(i)}->{lc.filters} d={lc.dilation})")
        expected = {"front_end_cycles": front_end_cycles(config), "front_end_latency": FRONT_END_LATENCY,
                    "front_end_multipliers": FRONT_END_MULTIPLIERS if uses_division(config) else 0,
                    "reset_cycles": _reset_cycles(self.layers)}
        for name, value in expected.items():
            if getattr(self, name) != value:
                raise PlanError(f"{name}: the plan says {getattr(self, name)}, but this network's hardware takes "
                                f"{value}")

    def summary(self) -> str:
        lines = [
            f"plan for '{self.config_name}': {self.sample_rate_hz} Hz at {self.clock_hz / 1e6:g} MHz "
            f"-> budget {self.cycle_budget} cycles/sample",
            f"  cycles per sample {self.cycles_per_sample} ({100 * self.cycles_per_sample / self.cycle_budget:.0f}% "
            f"of budget), multipliers {self.multipliers}/{self.multiplier_budget}, memory {self.memory_bits} bits, "
            f"latency {self.latency_cycles} cycles = {self.latency_samples} sample(s), "
            f"first input {self.reset_cycles} cycles after reset",
            f"  {self.macs_per_sample} MACs per sample; the lanes can do {self.capacity_macs_per_sample} "
            f"(efficiency {self.efficiency:.2f}), the {self.multiplier_budget} multipliers at most "
            f"{self.physical_limit_macs_per_sample:.0f}",
        ]
        if self.estimate is not None:
            e, t = self.estimate.network, self.estimate.total
            where = f" of {self.estimate.device}" if self.estimate.device else ""
            have = self.estimate.available
            lines.append(f"  estimate: network {e.luts} LUT, {e.ffs} FF, {e.block_rams} block RAM, "
                         f"{e.multipliers} multipliers; with the rest of the design {t.luts} LUT, {t.ffs} FF, "
                         f"{t.block_rams} block RAM, {t.multipliers} multipliers"
                         + (f" (available{where}: {have.luts} LUT, {have.ffs} FF, {have.block_rams} block RAM, "
                            f"{have.multipliers} multipliers)" if have else ""))
        for lp in self.layers:
            lines.append(
                f"  layer {lp.index}: {lp.kernel_size}x{lp.in_channels}->{lp.out_channels} d={lp.dilation}: "
                f"{lp.lanes} lane(s) x {lp.groups} group(s), {lp.cycles} cycles, latency {lp.latency_cycles}, "
                f"cache {lp.cache_kind} {lp.cache_depth} slots ({lp.cache_bits} bits), ROM {lp.rom_bits} bits, "
                f"acc {lp.accumulator_bits} bits")
        return "\n".join(lines)


def _reset_cycles(layers: list[LayerPlan]) -> int:
    """Cycles after reset before the first input is accepted: the latest layer's reset delay plus its clearing."""
    return max(lp.index + LAYER_RESET_DELAY + lp.clear_cycles for lp in layers)


def _layer_plan(config: ModelConfig, index: int, lanes: int) -> LayerPlan:
    lc = config.layers[index]
    cin = config.in_channels(index)
    groups = math.ceil(lc.filters / lanes)
    mac_cycles = groups * lc.kernel_size * cin
    kind, depth, cache_bits = cache_geometry(config, index)
    words = mac_cycles + groups
    coefficient_depth = -(-words // COEFFICIENT_SLICE_WORDS) * COEFFICIENT_SLICE_WORDS
    rom_bits = lanes * coefficient_depth * config.weight_format.width
    return LayerPlan(
        index=index, in_channels=cin, out_channels=lc.filters, kernel_size=lc.kernel_size,
        dilation=lc.dilation, lanes=lanes, groups=groups, mac_cycles=mac_cycles,
        cycles=mac_cycles + LAYER_OVERHEAD_CYCLES, latency_cycles=mac_cycles + LAYER_LATENCY_OVERHEAD,
        cache_kind=kind, cache_depth=depth, cache_bits=cache_bits,
        coefficient_words=words, coefficient_depth=coefficient_depth, rom_bits=rom_bits,
        memory_bits=rom_bits + (cache_bits if kind == "block_ram" else 0),
        accumulator_bits=config.accumulator_bits(index),
        clear_cycles=cache_bits // config.data_format.width if kind == "block_ram" else 0)


def _fewest_lanes(config: ModelConfig, budget: int) -> list[int] | None:
    """Per layer, the fewest lanes whose initiation interval fits ``budget``; None if a layer cannot."""
    lanes = []
    for i, lc in enumerate(config.layers):
        step = lc.kernel_size * config.in_channels(i)
        max_groups = (budget - LAYER_OVERHEAD_CYCLES) // step
        if max_groups < 1:
            return None
        lanes.append(math.ceil(lc.filters / min(max_groups, lc.filters)))
    return lanes


def _min_budget(config: ModelConfig, multipliers: int) -> int | None:
    """The smallest cycle budget that fits ``multipliers``; None if even one lane per layer is too many."""
    if multipliers < len(config.layers):
        return None
    hi = max(_layer_plan(config, i, 1).cycles for i in range(len(config.layers)))
    lo = 1
    while lo < hi:  # multipliers needed is non-increasing in the budget
        mid = (lo + hi) // 2
        need = _fewest_lanes(config, mid)
        if need is not None and sum(need) <= multipliers:
            hi = mid
        else:
            lo = mid + 1
    return hi


def _fits(config: ModelConfig, budget: int, multipliers: int) -> bool:
    need = _fewest_lanes(config, budget)
    return need is not None and sum(need) <= multipliers


def _suggestions(config: ModelConfig, clock_hz: int, sample_rate_hz: int, budget: int, multipliers: int) -> str:
    options = []
    usable = max(multipliers, len(config.layers))  # every layer needs at least one multiplier
    prefix = "" if usable == multipliers else f"at least {usable} multipliers (one per layer) and "
    min_budget = _min_budget(config, usable)
    if min_budget is not None:
        options.append(f"{prefix}a sample rate <= {clock_hz // min_budget} Hz (budget {min_budget} cycles)")
        options.append(f"{prefix}a clock >= {min_budget * sample_rate_hz} Hz")
    if len(config.layers) > 1:
        widest = max(lc.filters for lc in config.layers[:-1])
        for filters in range(widest - 1, 0, -1):
            smaller = config.replace(layers=[
                lc if i == len(config.layers) - 1 else type(lc)(min(lc.filters, filters), lc.kernel_size,
                                                                 lc.dilation)
                for i, lc in enumerate(config.layers)])
            if _fits(smaller, budget, multipliers):
                options.append(f"hidden layers of at most {filters} filters")
                break
    need = _fewest_lanes(config, budget)
    if need is not None:
        options.append(f"a device with >= {sum(need)} multipliers (lanes {need})")
    if not options:
        return "nothing nearby fits"
    return "it would fit with " + ", or ".join(options)


_RESOURCE_NAMES = {"luts": "LUTs", "ffs": "flip-flops", "block_rams": "block RAMs", "multipliers": "multipliers"}


def device_resources(device: Device) -> Resources:
    """What an ECP5 part offers (a slice has two LUT4s and two flip-flops: as many FFs as LUTs)."""
    return Resources(luts=device.luts, ffs=device.luts, block_rams=device.block_rams,
                     multipliers=device.multipliers)


def make_plan(config: ModelConfig, *, clock_hz: int, sample_rate_hz: int, multipliers: int,
              lanes: list[int] | None = None, device: Device | None = None,
              reserved: Resources | None = None, estimate: bool = True) -> Plan:
    """Schedule ``config`` at ``sample_rate_hz`` on a ``clock_hz`` clock with at most ``multipliers``.

    ``lanes`` forces the per-layer multiplier counts (tests); they must still fit the budget. With
    ``device``, the resource estimate plus ``reserved`` (the rest of the design) must fit the part;
    ``estimate=False`` leaves the estimate out (the LUT model's own calibration).
    Raises :class:`PlanError` (before anything is generated) when the rate cannot be met or the network
    does not fit.
    """
    for name, value in (("clock_hz", clock_hz), ("sample_rate_hz", sample_rate_hz), ("multipliers", multipliers)):
        if not isinstance(value, int) or value < 1:
            raise PlanError(f"{name}: must be a positive integer, got {value!r}")
    budget = clock_hz // sample_rate_hz
    where = (f"{config.name!r} at {sample_rate_hz} Hz with a {clock_hz} Hz clock "
             f"(budget {budget} cycles/sample) and {multipliers} multipliers")
    if lanes is None:
        chosen = _fewest_lanes(config, budget)
        if chosen is None:
            worst = max(range(len(config.layers)),
                        key=lambda i: config.layers[i].kernel_size * config.in_channels(i))
            floor_cycles = config.layers[worst].kernel_size * config.in_channels(worst) + LAYER_OVERHEAD_CYCLES
            raise PlanError(
                f"cannot schedule {where}: layer {worst} needs at least {floor_cycles} cycles per sample even "
                f"with one multiplier per output channel; " + _suggestions(
                    config, clock_hz, sample_rate_hz, budget, multipliers))
        if sum(chosen) > multipliers:
            raise PlanError(
                f"cannot schedule {where}: it needs {sum(chosen)} multipliers (lanes {chosen}); "
                + _suggestions(config, clock_hz, sample_rate_hz, budget, multipliers))
    else:
        chosen = list(lanes)
        if len(chosen) != len(config.layers):
            raise PlanError(f"lanes: {len(chosen)} values given for {len(config.layers)} layers")
        for i, (p, lc) in enumerate(zip(chosen, config.layers, strict=True)):
            if not isinstance(p, int) or not 1 <= p <= lc.filters:
                raise PlanError(f"lanes[{i}]: must be between 1 and the layer's {lc.filters} filters, got {p!r}")
        if sum(chosen) > multipliers:
            raise PlanError(f"cannot schedule {where}: lanes {chosen} use {sum(chosen)} multipliers")
    layers = [_layer_plan(config, i, p) for i, p in enumerate(chosen)]
    cycles = max(lp.cycles for lp in layers)
    if cycles > budget:
        raise PlanError(f"cannot schedule {where}: lanes {chosen} take {cycles} cycles per sample; "
                        + _suggestions(config, clock_hz, sample_rate_hz, budget, multipliers))
    front_cycles = front_end_cycles(config)
    if front_cycles > budget:
        raise PlanError(f"cannot schedule {where}: the front end takes {front_cycles} cycles per sample")
    front_multipliers = FRONT_END_MULTIPLIERS if uses_division(config) else 0
    if sum(chosen) + front_multipliers > multipliers:
        raise PlanError(f"cannot schedule {where}: lanes {chosen} and the front end use "
                        f"{sum(chosen) + front_multipliers} multipliers")
    latency = sum(lp.latency_cycles for lp in layers)
    plan = Plan(
        config_name=config.name, clock_hz=clock_hz, sample_rate_hz=sample_rate_hz, cycle_budget=budget,
        cycles_per_sample=cycles, multipliers=sum(chosen), multiplier_budget=multipliers,
        memory_bits=sum(lp.memory_bits for lp in layers), latency_cycles=latency,
        latency_samples=(latency + FRONT_END_LATENCY) // budget, layers=layers,
        reset_cycles=_reset_cycles(layers),
        front_end_cycles=front_cycles, front_end_latency=FRONT_END_LATENCY, front_end_multipliers=front_multipliers,
        macs_per_sample=config.macs_per_sample)
    if not estimate:
        return plan
    plan.estimate = estimate_resources(config, plan, reserved=reserved,
                                       available=None if device is None else device_resources(device),
                                       device=None if device is None else device.name)
    over = plan.estimate.over()
    if over:
        e = plan.estimate
        parts = []
        for name, need, have in over:
            detail = ""
            if name == "block_rams":
                coefficients = sum(le.coefficient_block_rams for le in e.layers)
                caches = sum(le.cache_block_rams for le in e.layers)
                detail = f" (coefficient memories {coefficients}, histories {caches}"
                detail += f", rest of the design {e.reserved.block_rams})" if e.reserved.block_rams else ")"
            elif getattr(e.reserved, name):
                detail = f" (network {getattr(e.network, name)}, rest of the design {getattr(e.reserved, name)})"
            parts.append(f"{need} {_RESOURCE_NAMES[name]}{detail} > {have}")
        raise PlanError(f"{config.name!r} does not fit {e.device}: the estimate needs " + ", ".join(parts)
                        + f"; at {clock_hz} Hz it uses lanes {chosen}: a faster network clock needs fewer lanes "
                          "and coefficient memories, a smaller network fewer of everything")
    return plan
