"""The resource estimate of a planned network: multipliers, block RAM, LUTs and flip-flops, before synthesis.

It follows what ``rtl/`` builds (``conv_layer.py``, ``lane.py``, ``activation_cache.py``, ``shift_buffer.py``) and how
yosys 0.70's ``synth_ecp5`` maps it with the classic ``abc -lut 4:7`` LUT mapping the board builds use
(``boards/toolchain/runner.py``). Per layer with ``Cin`` inputs, ``K`` taps, ``P`` lanes, accumulator
``A`` bits, requantized ``Q = A - shift + 1`` bits and ``w``-bit samples:

**Multipliers**: one MULT18X18D per lane (``x * w``, both operands registered): ``P``.

**Block RAM** (DP16KD: 1024 words of up to 18 bits, two ports). Every memory is forced into block RAM
(``ram_style = "block"``): each lane's coefficient memory (``plan.coefficient_depth`` words, read by both
ports: weights and biases) takes ``ceil(depth / 1024)`` blocks, each block-RAM history
(``ActivationCache``: ``slots * 2**clog2(Cin)`` words) ``ceil(words / 1024)``; layer 0's history is in
flip-flops (``ShiftBuffer``).

**LUTs** (nextpnr's ``TRELLIS_COMB``: a LUT4, or half a CCU2C carry cell) are a linear model of structural
counts, its coefficients (:data:`LUT_MODEL`, committed) fitted by least squares in ``bench/lut_model.py``: the
front end's on the front ends of :data:`FRONT_END_CALIBRATION`, synthesised alone (the divider included), the
layers' on the synthesised networks of :data:`CALIBRATION` less their front end's estimate. The model is
checked on networks it was not fitted on: the shipped configs at their boards' own clocks, front end
included, against committed synthesis counts (``bench/shipped_synthesis.json``,
``bench/tests/test_shipped_estimate.py``), and other shapes by ``make bench`` (``bench/lut_model.py``). The
layers' counts:

* ``lane``: per lane the accumulate ``Mux(first, bias, acc) + product`` (``2A``: a LUT4 and half a CCU2C
  per bit), the saturation and ReLU (``w`` plus the overflow test over ``Q - w + 1`` bits, halved), and for
  ``half_even`` the rounding increment (``Q``);
* ``select``: the history read multiplexers (``rtl.select`` trees) in word-bits: ``K * Cin * w`` for a
  ``ShiftBuffer``, ``Cin * w`` for an ``ActivationCache`` (with LUT4-only mapping a tree costs close to a
  fixed number of LUT4s per input and bit);
* ``layer``: one per layer (the step counters, the cache's pointers and clearing, handshakes);
* ``constant``: the reset hold counters.

The front end's (``rtl/front_end.py``), each the data width ``w`` when the network uses what it computes:
``fe_sense`` (the direction's two tests and their bound chains: for ``direction``, ``level``, ``rate`` or
``phase``), ``fe_slope``, ``fe_level``, ``fe_rate`` (each role's own arithmetic and saturation) and
``fe_swing`` (the swing's state and the restoring divider of the reciprocal: for ``level`` or ``rate``); and
``fe_phase``, 1 when the network uses ``phase`` (its count, sum and divider are as wide whatever the data
format, so its coefficient is its LUTs).

**Flip-flops** are counted register by register from the RTL (not fitted): the history (with its staging
register), per lane the weight delay, bias, accumulator and requantized registers (the product register is
the multiplier block's own on the boards, ``rtl/multiplier.py``), the result and output vectors, the
counters and the control pipeline; the front end's registers (:func:`front_end_ffs`); the reset stages
and hold counters of the network and the waveshaper.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from amaranth.utils import ceil_log2

from common.config import FixedFormat, LayerConfig, ModelConfig, rounding_constant
from common.front_end import DIRECTION_USERS, STEP_USERS, SWING_USERS
from common.roles import jack_roles

from .timing import FRONT_END_LATENCY, HISTORY_READ_LATENCY, LAYER_RESET_DELAY

__all__ = ["BRAM_WORDS", "CALIBRATION", "FRONT_END_CALIBRATION", "FRONT_END_FEATURES", "LAYER_FEATURES",
           "LUT_MODEL", "Estimate", "LayerEstimate", "Resources", "calibration_network", "estimate",
           "front_end_config", "front_end_features", "front_end_ffs", "lut_features", "lut_model"]

#: Words of one DP16KD at widths up to 18 bits.
BRAM_WORDS = 1024
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


#: The networks the LUT model is fitted on, synthesised alone as the boards build them (front end included):
#: (name, inputs, layers as (filters, kernel, dilation), network clock in Hz at 192 kHz, rounding, weight format
#: (width, fraction bits), data format, measured TRELLIS_COMB = LUT4 + 2 x CCU2C of yosys 0.70 with the board
#: builds' LUT mapping). Varied on purpose (kernels 1 to 8, 2 to 5 inputs, 6 to 40 filters, half_even, narrower
#: formats); none of them is a network the boards build. ``python -m bench.lut_model calibration`` remeasures
#: them; ``make bench`` (``lut_model``) and ``bench/tests/test_shipped_estimate.py`` check the model on others.
CALIBRATION: tuple[tuple, ...] = (
    ("cal_k3", ("core", "e0"), ((24, 3, 1), (24, 3, 3), (1, 3, 9)), 50_000_000, "half_up", (16, 12), (16, 12),
     1911),
    ("cal_k8", _FIVE, ((12, 8, 1), (12, 8, 8), (1, 8, 64)), 100_000_000, "half_even", (16, 12), (16, 12), 1915),
    ("cal_k5", ("core", "e0", "e1"), ((6, 5, 1), (6, 5, 5), (6, 5, 25), (1, 1, 1)), 60_000_000, "half_up",
     (16, 12), (16, 12), 1136),
    ("cal_32x5", _FIVE, ((32, 4, 1), (32, 4, 4), (32, 4, 16), (32, 4, 64), (1, 4, 256)), 100_000_000, "half_up",
     (16, 12), (16, 12), 5178),
    ("cal_narrow", _FIVE, ((16, 3, 1), (16, 3, 3), (16, 3, 9), (16, 3, 27), (1, 3, 81)), 80_000_000, "half_up",
     (12, 9), (14, 10), 2096),
    ("cal_40", _FIVE, ((40, 4, 1), (40, 4, 4), (40, 4, 16), (1, 4, 64)), 135_000_000, "half_up", (16, 12), (16, 12),
     4609),
)


#: The front end (``rtl/front_end.py``) synthesised alone as the boards build it, per set of roles and data
#: format (the default's ``[front_end]`` table): (inputs, data format (width, fraction bits), measured
#: TRELLIS_COMB, TRELLIS_FF). The LUT model's front-end coefficients are fitted on the first count; the second
#: checks :func:`front_end_ffs` (``rtl/tests/test_resources.py``). ``python -m bench.lut_model front-end``
#: remeasures them.
FRONT_END_CALIBRATION: tuple[tuple, ...] = (
    (("core", "e0"), (16, 12), 4, 71),
    (("core", "e0", "e1", "direction"), (16, 12), 101, 242),
    (("core", "e0", "e1", "slope"), (16, 12), 49, 162),
    (_FIVE, (16, 12), 145, 300),
    (("core", "e0", "e1", "level"), (16, 12), 374, 488),
    (("core", "e0", "e1", "rate"), (16, 12), 365, 491),
    (("core", "e0", "e1", "level", "rate"), (16, 12), 481, 565),
    ((*_FIVE, "level", "rate"), (16, 12), 489, 595),
    (("core", "e0"), (12, 9), 4, 55),
    (("core", "e0", "e1", "direction"), (12, 9), 79, 186),
    (("core", "e0", "e1", "slope"), (12, 9), 41, 122),
    (_FIVE, (12, 9), 116, 228),
    (("core", "e0", "e1", "level"), (12, 9), 280, 385),
    (("core", "e0", "e1", "rate"), (12, 9), 280, 388),
    (("core", "e0", "e1", "level", "rate"), (12, 9), 352, 443),
    ((*_FIVE, "level", "rate"), (12, 9), 376, 465),
    (("core", "e0", "phase"), (16, 12), 687, 502),
    (("core", "e0", "phase"), (12, 9), 658, 442),
    ((*_FIVE, "level", "rate", "phase"), (16, 12), 1023, 855),
    ((*_FIVE, "level", "rate", "phase"), (12, 9), 903, 721),
)


def front_end_config(entry: tuple) -> ModelConfig:
    """The config of one :data:`FRONT_END_CALIBRATION` entry (one layer: the front end is synthesised alone)."""
    inputs, data, _, _ = entry
    return ModelConfig(name="front_end", inputs=inputs, layers=(LayerConfig(1, 1, 1),),
                       data_format=FixedFormat(*data), weight_format=FixedFormat(*data))


def calibration_network(entry: tuple) -> tuple[ModelConfig, int]:
    """The config and network clock of one :data:`CALIBRATION` entry."""
    name, inputs, layers, clock_hz, rounding, weight, data, _ = entry
    config = ModelConfig(name=name, inputs=inputs, layers=tuple(LayerConfig(*spec) for spec in layers),
                         rounding=rounding, weight_format=FixedFormat(*weight), data_format=FixedFormat(*data))
    return config, clock_hz


#: The LUT model's coefficients (TRELLIS_COMB per unit of each structural count): the least-squares fit of
#: the front ends' features to :data:`FRONT_END_CALIBRATION` (``fe_phase`` last, as the mean of what the
#: others leave on the entries with ``phase``), then of the layers' to :data:`CALIBRATION` less
#: their front end's share (each network planned at its clock and sample rate, any multipliers). Committed, not
#: fitted at import: ``bench/lut_model.py`` (:func:`~bench.lut_model.fit_lut_model`) refits them from the
#: calibration sets, and ``bench/tests/test_lut_model.py`` fails when they differ from this table.
LUT_MODEL: dict[str, float] = {
    "lane": 0.9105007830359855,
    "select": 0.9269253167807991,
    "layer": 64.17064431816847,
    "constant": 48.086877426797976,
    "fe_sense": 6.5587500000000185,
    "fe_slope": 2.5724999999999927,
    "fe_level": 6.033749999999997,
    "fe_rate": 5.673750000000002,
    "fe_swing": 10.767499999999997,
    "fe_phase": 550.5949999999998,
}
#: The layers' structural counts, and the front end's, in the order of :data:`LUT_MODEL`.
LAYER_FEATURES = ("lane", "select", "layer", "constant")
FRONT_END_FEATURES = ("fe_sense", "fe_slope", "fe_level", "fe_rate", "fe_swing", "fe_phase")


def lut_model() -> dict[str, float]:
    """The LUT model's coefficients (:data:`LUT_MODEL`), a copy."""
    return dict(LUT_MODEL)


def front_end_features(config: ModelConfig) -> dict[str, float]:
    """The front end's structural counts the LUT model weighs (module docstring): the data width for each part
    of ``rtl/front_end.py`` the network's inputs use, else 0 (yosys removes what no output needs)."""
    roles = set(config.inputs)
    w = float(config.data_format.width)
    return {"fe_sense": w if roles & DIRECTION_USERS else 0.0,
            "fe_slope": w if "slope" in roles else 0.0, "fe_level": w if "level" in roles else 0.0,
            "fe_rate": w if "rate" in roles else 0.0, "fe_swing": w if roles & SWING_USERS else 0.0,
            "fe_phase": 1.0 if "phase" in roles else 0.0}


def _signed_bits(lo: int, hi: int) -> int:
    """Bits of a two's-complement register that holds every integer of ``[lo, hi]``."""
    return max((-lo - 1).bit_length() if lo < 0 else 0, hi.bit_length()) + 1


def front_end_ffs(config: ModelConfig) -> int:
    """The front end's flip-flops (``rtl/front_end.py``), register by register, as yosys keeps them: registers
    that nothing the network uses reads are removed, constant bits too (the direction codes, the zero role),
    and so are copies (a sign extension, the low bits of a shifted and saturated slope).

    * always: the five stage flags (the fifth only to start the divider), busy, working and ``o.valid``; the
      taken jack vector and its copy in the output register;
    * the direction (for ``direction``, ``level``, ``rate`` or ``phase``): the bound chains ``x + T`` and ``x - T`` of
      ``direction_lag`` samples each, the two tests and the direction;
    * the step ``x[t] - x[t-1]`` (``slope`` or ``rate``): the last core and the step;
    * ``slope``: the saturated slope and its output copy, the ``slope_shift`` low bits one flip-flop;
    * the swing (``level`` or ``rate``): ``hi``, ``lo``, the running extremes, the turn and the two
      comparisons, the reciprocal and its copy, the divider (span, divisor, remainder, quotient, bit counter,
      two flags);
    * ``level``: ``hi + lo``, ``2x - hi - lo``, its product's bits above the shift, the output;
    * ``rate``: its product's bits above the shift, the output;
    * ``phase``: the two counts, the two half periods, the two increments, the two sums (``PHASE_BITS`` +
      the count's bits + sign each), its divider (divisor, remainder, quotient, bit counter, three flags), the
      output; without ``level`` or ``rate`` also the running extremes, the turn and the two comparisons.
    """
    fmt, fe = config.data_format, config.front_end
    w = fmt.width
    roles = set(config.inputs)
    swing = bool(roles & SWING_USERS)
    divides = swing or "phase" in roles
    count = FRONT_END_LATENCY - (0 if divides else 1) + 2 + 1 + 2 * len(jack_roles(config.inputs)) * w
    if roles & DIRECTION_USERS:
        bound = _signed_bits(fmt.min_int - fe.direction_threshold, fmt.max_int + fe.direction_threshold)
        count += 2 * fe.direction_lag * bound + 3
    if roles & STEP_USERS:
        count += 2 * w + 1
    if "slope" in roles:
        count += 2 * (w - fe.slope_shift + 1)
    product_bits = (w + 2) + 18  # an operand of w + 2 bits times the 18-bit reciprocal operand
    shift = fe.reciprocal_bits - fmt.frac_bits
    if swing:
        reciprocal = 17
        divider = (w + 2) + (w + 1) + (w + 2) + reciprocal + fe.reciprocal_bits.bit_length() + 2
        count += 4 * w + 3 + 2 * reciprocal + divider
    if "level" in roles:
        count += 2 * (w + 2) + (product_bits - shift) + w
    if "rate" in roles:
        count += (product_bits - (shift - fe.rate_shift)) + w
    if "phase" in roles:
        counter, increment = fe.PHASE_COUNT_MAX.bit_length(), fe.PHASE_BITS + 1
        divider = 2 * counter + increment + (fe.PHASE_BITS + 1).bit_length() + 3
        count += 4 * counter + 2 * increment + 2 * (fe.PHASE_BITS + counter + 1) + divider + w
        if not swing:
            count += 2 * w + 3
    return count


def lut_features(config: ModelConfig, plan) -> dict[str, float]:
    """The structural counts the LUT model weighs (see the module docstring)."""
    w = config.data_format.width
    features = {"lane": 0.0, "select": 0.0, "layer": float(len(plan.layers)), "constant": 1.0,
                **front_end_features(config)}
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
    cache_words = 0 if lp.cache_kind == "registers" else (lp.cache_depth << ceil_log2(cin) if lp.cache_depth else 0)
    cache_brams = math.ceil(cache_words / BRAM_WORDS)

    counter_bits = ceil_log2(lp.mac_cycles) + ceil_log2(cin) + ceil_log2(K) + ceil_log2(G)
    L = HISTORY_READ_LATENCY
    pipeline = (L + 3) + (L + 1) + (L + 2) + (L + 3) + (L - 1) * ceil_log2(G)
    control = 5 + counter_bits + pipeline
    # the product register is the MULT18X18D's (rtl/multiplier.py); the bias register holds the aligned bias
    # (b << df) + R: its low bits are R's (the zeros removed), its top the bias' sign (copies merged); q
    # keeps its extra increment bit only for half_even (for the other modes it copies the sign)
    bias = ww + bin(rounding_constant(config)).count("1")
    q_bits = Q if config.rounding == "half_even" else Q - 1
    lane = (HISTORY_READ_LATENCY - 1) * ww + bias + A + q_bits
    vectors = G * P * w + lp.out_channels * w + 1
    if lp.cache_kind == "registers":
        history_ffs = (history + 1) * cin * w + HISTORY_READ_LATENCY * w
    else:
        staging = cin * w + cin if history else 0  # the vector's staging register and its enables
        groups = -(-cin // 4) if cin > 1 else 0  # tap 0's first selection step (rtl/activation_cache.py)
        history_ffs = (cin * w + staging + groups * w + 4 * w + 3 + ceil_log2(history + 1)
                       + ceil_log2(max(cache_words, 1)) + 3 * w + 13)
    return LayerEstimate(index=lp.index, multipliers=P, coefficient_block_rams=coefficient_brams,
                         cache_block_rams=cache_brams, ffs=control + P * lane + vectors + history_ffs)


def _reset_ffs(config: ModelConfig, plan) -> int:
    """The reset stages and hold counters (``rtl/network.py``, ``rtl/waveshaper.py``): each layer's reset
    register, the front end's, and two hold counters (the network's and the waveshaper's) of ``reset_cycles``
    with their flag."""

    hold = ceil_log2(plan.reset_cycles + 1) + 1
    return (LAYER_RESET_DELAY + len(plan.layers) - 1) + 1 + 2 * hold


def estimate(config: ModelConfig, plan, *, reserved: Resources | None = None, available: Resources | None = None,
             device: str | None = None) -> Estimate:
    """The estimate of ``config`` scheduled as ``plan`` (an ``rtl.plan.Plan``): the layers, the front end and
    the reset logic, what ``rtl.waveshaper.Waveshaper`` builds."""
    layers = [_layer(config, lp) for lp in plan.layers]
    features = lut_features(config, plan)
    model = lut_model()
    luts = round(sum(model[name] * value for name, value in features.items()))
    network = Resources(luts=luts, ffs=sum(le.ffs for le in layers) + front_end_ffs(config) + _reset_ffs(config, plan),
                        block_rams=sum(le.block_rams for le in layers),
                        multipliers=sum(le.multipliers for le in layers) + plan.front_end_multipliers)
    return Estimate(network=network, reserved=reserved or Resources(), available=available, device=device,
                    layers=layers)
