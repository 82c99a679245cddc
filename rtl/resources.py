"""The resource estimate of a planned network: multipliers, block RAM, LUTs and flip-flops, before synthesis.

It follows what ``rtl/`` builds (``conv_layer.py``, ``activation_cache.py``, ``shift_buffer.py``) and how
yosys 0.70's ``synth_ecp5`` maps it with the classic ``abc -lut 4:7`` LUT mapping the board builds use
(``boards/toolchain/runner.py``). Per layer with ``Cin`` inputs, ``K`` taps, ``P`` lanes, accumulator
``A`` bits, requantized ``Q = A - shift + 1`` bits and ``w``-bit samples:

**Multipliers**: one MULT18X18D per lane (``x * w``, both operands registered): ``P``.

**Block RAM** (DP16KD: 1024 words of up to 18 bits, two ports). Every memory is forced into block RAM
(``ram_style = "block"``): each lane's coefficient memory (``plan.coefficient_depth`` words, read by both
ports: weights and biases) takes ``ceil(depth / 1024)`` blocks, each block-RAM history
(``ActivationCache``: ``slots * 2**clog2(Cin)`` words) ``ceil(words / 1024)``; layer 0's history is in
flip-flops (``ShiftBuffer``).

**LUTs** (nextpnr's ``TRELLIS_COMB``: a LUT4, or half a CCU2C carry cell) are a linear model of four
structural counts, its coefficients fitted by least squares on the synthesised networks of
:data:`CALIBRATION` when first needed (and checked, by ``make bench`` and ``bench/tests/test_lut_model.py``,
on networks that were not):

* ``lane``: per lane the accumulate ``Mux(first, bias, acc) + product`` (``2A``: a LUT4 and half a CCU2C
  per bit), the saturation and ReLU (``w`` plus the overflow test over ``Q - w + 1`` bits, halved), and for
  ``half_even`` the rounding increment (``Q``);
* ``select``: the history read multiplexers (``rtl.select`` trees) in word-bits: ``K * Cin * w`` for a
  ``ShiftBuffer``, ``Cin * w`` for an ``ActivationCache`` (with LUT4-only mapping a tree costs close to a
  fixed number of LUT4s per input and bit);
* ``layer``: one per layer (the step counters, the cache's pointers and clearing, handshakes);
* ``constant``: the front end and the reset counter.

**Flip-flops** are counted register by register from the RTL (not fitted): the history (with its staging
register), per lane the weight delay, bias, accumulator and requantized registers (the product register is
the multiplier block's own on the boards, ``rtl/multiplier.py``), the result and output vectors, the
counters and the control pipeline.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from common.config import FixedFormat, LayerConfig, ModelConfig

__all__ = ["BRAM_WORDS", "CALIBRATION", "Estimate", "LayerEstimate", "Resources", "block_ram_register_ffs",
           "calibration_network", "estimate", "lut_features", "lut_model"]

#: Words of one DP16KD at widths up to 18 bits.
BRAM_WORDS = 1024
#: Cycles from a history read to the multiplier input (mirrors rtl.plan.HISTORY_READ_LATENCY).
_READ_LATENCY = 4
_FIVE = ("core", "e0", "e1", "direction", "slope")


@dataclass(frozen=True)
class Resources:
    """Counts of the four resources the plan checks, as nextpnr-ecp5 names them in brackets."""

    luts: int = 0          #: TRELLIS_COMB
    ffs: int = 0           #: TRELLIS_FF
    block_rams: int = 0    #: DP16KD
    multipliers: int = 0   #: MULT18X18D

    def __add__(self, other: Resources) -> Resources:
        return Resources(self.luts + other.luts, self.ffs + other.ffs, self.block_rams + other.block_rams,
                         self.multipliers + other.multipliers)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


#: The networks the LUT model is fitted on, synthesised alone: (name, inputs, layers as (filters, kernel,
#: dilation), network clock in Hz at 192 kHz, rounding, weight format (width, fraction bits), data format,
#: measured TRELLIS_COMB = LUT4 + 2 x CCU2C of yosys 0.70 with the board builds' LUT mapping). Varied on
#: purpose (kernels 1 to 8, 2 to 5 inputs, 6 to 40 filters, half_even, narrower formats); none of them is a
#: network the boards build. ``python -m bench.lut_model`` remeasures them; ``make bench`` (``lut_model``)
#: checks the model on other networks.
CALIBRATION: tuple[tuple, ...] = (
    ("cal_k3", ("core", "e0"), ((24, 3, 1), (24, 3, 3), (1, 3, 9)), 50_000_000, "half_up", (16, 12), (16, 12),
     1961),
    ("cal_k8", _FIVE, ((12, 8, 1), (12, 8, 8), (1, 8, 64)), 100_000_000, "half_even", (16, 12), (16, 12), 1824),
    ("cal_k5", ("core", "e0", "e1"), ((6, 5, 1), (6, 5, 5), (6, 5, 25), (1, 1, 1)), 60_000_000, "half_up",
     (16, 12), (16, 12), 1083),
    ("cal_32x5", _FIVE, ((32, 4, 1), (32, 4, 4), (32, 4, 16), (32, 4, 64), (1, 4, 256)), 100_000_000, "half_up",
     (16, 12), (16, 12), 5210),
    ("cal_narrow", _FIVE, ((16, 3, 1), (16, 3, 3), (16, 3, 9), (16, 3, 27), (1, 3, 81)), 80_000_000, "half_up",
     (12, 9), (14, 10), 2062),
    ("cal_40", _FIVE, ((40, 4, 1), (40, 4, 4), (40, 4, 16), (1, 4, 64)), 135_000_000, "half_up", (16, 12), (16, 12),
     4727),
)


def calibration_network(entry: tuple) -> tuple[ModelConfig, int]:
    """The config and network clock of one :data:`CALIBRATION` entry."""
    name, inputs, layers, clock_hz, rounding, weight, data, _ = entry
    config = ModelConfig(name=name, inputs=inputs, layers=tuple(LayerConfig(*spec) for spec in layers),
                         rounding=rounding, weight_format=FixedFormat(*weight), data_format=FixedFormat(*data))
    return config, clock_hz


def _fit() -> dict[str, float]:
    """Least squares over :data:`CALIBRATION` (each network planned at its clock, 192 kHz, any multipliers)."""
    from .plan import make_plan  # plan.py imports this module

    rows, measured = [], []
    for entry in CALIBRATION:
        config, clock_hz = calibration_network(entry)
        plan = make_plan(config, clock_hz=clock_hz, sample_rate_hz=192_000, multipliers=10**6, estimate=False)
        features = lut_features(config, plan)
        rows.append([features[name] for name in _FEATURES])
        measured.append(entry[-1])
    coefficients, *_ = np.linalg.lstsq(np.array(rows, dtype=float), np.array(measured, dtype=float), rcond=None)
    return dict(zip(_FEATURES, (float(c) for c in coefficients), strict=True))


_FEATURES = ("lane", "select", "layer", "constant")
_MODEL: dict[str, float] = {}


def lut_model() -> dict[str, float]:
    """The LUT model's coefficients (COMB per unit of each structural count), fitted once on first use."""
    if not _MODEL:
        _MODEL.update(_fit())
    return dict(_MODEL)


def _clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


def lut_features(config: ModelConfig, plan) -> dict[str, float]:
    """The structural counts the LUT model weighs (see the module docstring)."""
    w = config.data_format.width
    features = {"lane": 0.0, "select": 0.0, "layer": float(len(plan.layers)), "constant": 1.0}
    for lp in plan.layers:
        A = lp.accumulator_bits
        Q = A - config.requant_shift + 1
        lane = 2 * A + w + (Q - w + 1) / 2
        if config.rounding == "half_even":
            lane += Q
        features["lane"] += lp.lanes * lane
        words = lp.kernel_size * lp.in_channels if lp.cache_kind == "registers" else lp.in_channels
        features["select"] += words * w
    return features


@dataclass
class LayerEstimate:
    index: int
    multipliers: int
    coefficient_block_rams: int
    cache_block_rams: int
    ffs: int

    @property
    def block_rams(self) -> int:
        return self.coefficient_block_rams + self.cache_block_rams


@dataclass
class Estimate:
    """The network's resources (``network``), what the rest of the design uses (``reserved``, given by the
    caller: the board's codec driver and scaling), and their sum (``total``) against ``available``."""

    network: Resources
    reserved: Resources = field(default_factory=Resources)
    available: Resources | None = None
    device: str | None = None
    layers: list[LayerEstimate] = field(default_factory=list)

    @property
    def total(self) -> Resources:
        return self.network + self.reserved

    def over(self) -> list[tuple[str, int, int]]:
        """``(resource, needed, available)`` for every resource the total exceeds."""
        if self.available is None:
            return []
        total, have = self.total.to_dict(), self.available.to_dict()
        return [(name, total[name], have[name]) for name in total if total[name] > have[name]]

    def to_dict(self) -> dict[str, Any]:
        return {"network": self.network.to_dict(), "reserved": self.reserved.to_dict(),
                "total": self.total.to_dict(),
                "available": None if self.available is None else self.available.to_dict(),
                "device": self.device, "layers": [asdict(layer) for layer in self.layers]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Estimate:
        return cls(network=Resources(**data["network"]), reserved=Resources(**data["reserved"]),
                   available=None if data.get("available") is None else Resources(**data["available"]),
                   device=data.get("device"), layers=[LayerEstimate(**layer) for layer in data.get("layers", [])])


def _layer(config: ModelConfig, lp) -> LayerEstimate:
    w, ww = config.data_format.width, config.weight_format.width
    cin, K, P, G = lp.in_channels, lp.kernel_size, lp.lanes, lp.groups
    A = lp.accumulator_bits
    Q = A - config.requant_shift + 1
    history = (K - 1) * lp.dilation
    coefficient_brams = P * math.ceil(lp.coefficient_depth / BRAM_WORDS)
    cache_words = 0 if lp.cache_kind == "registers" else (lp.cache_depth << _clog2(cin) if lp.cache_depth else 0)
    cache_brams = math.ceil(cache_words / BRAM_WORDS)

    counter_bits = _clog2(lp.mac_cycles) + _clog2(cin) + _clog2(K) + _clog2(G)
    pipeline = (_READ_LATENCY + 3) + (_READ_LATENCY + 1) + (_READ_LATENCY + 2) + (_READ_LATENCY + 3) \
        + (_READ_LATENCY - 1) * _clog2(G)
    control = 5 + counter_bits + pipeline
    lane = (_READ_LATENCY - 1) * ww + A + A + Q  # the product register is the MULT18X18D's (rtl/multiplier.py)
    vectors = G * P * w + lp.out_channels * w + 1
    if lp.cache_kind == "registers":
        history_ffs = (history + 1) * cin * w + _READ_LATENCY * w
    else:
        staging = cin * w + cin if history else 0  # the vector's staging register and its enables
        groups = -(-cin // 4) if cin > 1 else 0  # tap 0's first selection step (rtl/activation_cache.py)
        history_ffs = (cin * w + staging + groups * w + 4 * w + 3 + _clog2(history + 1)
                       + _clog2(max(cache_words, 1)) + 3 * w + 13)
    return LayerEstimate(index=lp.index, multipliers=P, coefficient_block_rams=coefficient_brams,
                         cache_block_rams=cache_brams,
                         ffs=control + P * lane + vectors + history_ffs + block_ram_register_ffs(config, lp))


def block_ram_register_ffs(config: ModelConfig, lp) -> int:
    """The flip-flops that give every block RAM registers of its own, against one shared register each
    (``rtl/conv_layer.py``, ``rtl/activation_cache.py``): per lane a weight address register (it replaces one
    stage of the weight delay and of the group number's delay) and, with more than one group, a bias address
    register; per history bank a read and a write address, write data, a write enable, the read word and an
    output register (they replace the two shared registers on the RAM output), with two hit flags when there
    are several banks. The read word is the block RAM's own register; what goes is the copy of the write
    (address, data, enable) and the word to pass through that yosys added to the single RAM of a history
    to give a read of the word being written its old value (``no_rw_check``: ``rtl/activation_cache.py``)."""
    w, ww = config.data_format.width, config.weight_format.width
    # only the address bits that change are flip-flops (yosys removes those that are constant)
    bias_bits = 0
    for g in range(lp.groups if lp.groups > 1 else 0):
        bias_bits |= lp.mac_cycles ^ (lp.mac_cycles + g)
    lane = _clog2(lp.mac_cycles) - ww + bin(bias_bits).count("1")
    ffs = lp.lanes * lane - _clog2(lp.groups)
    if lp.cache_kind == "block_ram" and lp.cache_depth:
        words = lp.cache_depth << _clog2(lp.in_channels)
        bank_words = min(words, BRAM_WORDS)
        banks = words // bank_words
        ffs += banks * (2 * _clog2(bank_words) + 2 * w + 1 + (2 if banks > 1 else 0)) - 2 * w \
            - (2 * w + _clog2(words) + 2)
    return ffs


def estimate(config: ModelConfig, plan, *, reserved: Resources | None = None, available: Resources | None = None,
             device: str | None = None) -> Estimate:
    """The estimate of ``config`` scheduled as ``plan`` (an ``rtl.plan.Plan``)."""
    layers = [_layer(config, lp) for lp in plan.layers]
    features = lut_features(config, plan)
    model = lut_model()
    luts = round(sum(model[name] * value for name, value in features.items()))
    reset_ffs = _clog2(plan.reset_cycles + 1) + 1 if plan.reset_cycles else 0
    network = Resources(luts=luts, ffs=sum(le.ffs for le in layers) + reset_ffs,
                        block_rams=sum(le.block_rams for le in layers),
                        multipliers=sum(le.multipliers for le in layers) + plan.front_end_multipliers)
    return Estimate(network=network, reserved=reserved or Resources(), available=available, device=device,
                    layers=layers)
