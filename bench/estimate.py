"""Pre-synthesis estimate of what nextpnr will report for a network: multipliers, block RAM, LUTs, FFs.

Derived from what ``rtl/`` builds (``rtl/conv_layer.py``, ``activation_cache.py``, ``shift_buffer.py``)
and from how yosys 0.70's ``synth_ecp5`` maps it, so it can move into ``rtl.plan`` later. Per layer ``i``
with ``Cin`` inputs, ``K`` taps, ``P`` lanes, ``G`` groups, ``S = G*K*Cin`` steps, accumulator ``A`` bits:

**Multipliers**: one MULT18X18D per lane (the ``x * w`` product, both inputs registered): ``sum P``.

**Block RAM** (DP16KD, 16 kbit, 1024 x 18): yosys' ``memory_libmap`` costs a block at 128 and a ROM
lowered to logic at 1/16 per bit (a RAM with a write port at 1 per bit), and takes the cheaper:

* each lane's weight ROM (``S`` words of the weight width ``ww``): ``ceil(S / 1024)`` blocks when
  ``S * ww / 16 > 128`` (``S > 128`` for 16-bit weights; a tie goes to logic, as measured), else LUTs
  (about ``S/16`` LUT4 per bit);
* each block-RAM history (``ActivationCache``: ``slots * 2**clog2(Cin)`` words): ``ceil(words / 1024)``
  blocks (a RAM in logic costs 16 per word, so even a 64-word history goes to a block); layer 0's
  history is in flip-flops (``ShiftBuffer``).

**Flip-flops**, counted register by register from the RTL: the history (``ShiftBuffer``: every slot,
``ActivationCache``: the ``current`` vector and the read pipeline), per lane the weight delay
(``HISTORY_READ_LATENCY - 1`` words), bias, product, accumulator and requantized registers (plus the
ROM's output register when it is logic), the result vector (``G*P`` words) and the output register
(``Cout`` words), and the step counters with their control pipeline.

**LUTs** (nextpnr's TRELLIS_COMB: a LUT4, or half a CCU2C carry cell), two parts:

* the history read multiplexers (``rtl.select`` trees: ``K*Cin`` words in ``ShiftBuffer``, ``Cin`` words
  in ``ActivationCache``) cost what yosys really makes of an N:1 select tree of ``w`` bits, measured once
  per mapper on the bare primitive (:data:`MUX_LUT4_PER_BIT`; abc's cost is far from N/2 per bit and not
  even monotonic, so it is a table, not a formula);
* everything else is counted structurally in LUT4 per bit: per lane the accumulate
  ``Mux(first, bias, acc) + product`` (``A`` LUT4 + ``A`` carry COMB), the per-group bias select (``ww``
  LUT4 when ``G > 1``: the low ``shift`` bits of an aligned bias are the same rounding constant in every
  group), saturation and ReLU (``w`` + the overflow test over ``A - shift + 1 - w`` bits), the weight ROM
  when it is logic (``S/8`` LUT4 per bit, measured on the default network's last layer), the cache's
  newest/older and write-data muxes and pointer arithmetic, and the counters (2 COMB per bit). That count
  is scaled by :data:`LOGIC_FACTOR` per mapper, the one calibration: measured nextpnr COMB of the default
  network minus its measured multiplexers, over its structural count.

yosys 0.70's abc9 (synth_ecp5's mapper, used by the board builds) asserts on the larger bench networks,
so those are mapped with the classic ``abc -lut 4:7`` (``bench.fpga.LUT_MAPPERS``); both are calibrated.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

from common.config import ModelConfig

__all__ = ["BRAM_BITS", "BRAM_DEPTH", "DEFAULT_MEASURED_LUTS", "LOGIC_FACTOR", "MUX_LUT4_PER_BIT", "Estimate",
           "LayerEstimate", "estimate"]

#: DP16KD geometry used for data up to 18 bits wide.
BRAM_DEPTH = 1024
BRAM_BITS = 16 * 1024
#: memory_libmap's costs (yosys share/lattice/brams_16kd.txt; passes/memory/memory_libmap.cc).
BRAM_COST = 128
ROM_LOGIC_COST_PER_BIT = 1 / 16
#: Read latency of the history (mirrors rtl.plan.HISTORY_READ_LATENCY).
HISTORY_READ_LATENCY = 3
#: LUT4 per bit of an N:1 ``rtl.select`` tree feeding a register, per mapper: yosys 0.70 synth_ecp5 on the
#: bare primitive (16 bits wide, N = 2..128), ``bench/estimate.py`` docstring. Other N: the next power of two.
MUX_LUT4_PER_BIT = {
    "abc9": {2: 1.0, 4: 4.0, 8: 6.0, 16: 21.0, 32: 32.6, 64: 56.0, 128: 138.0},
    "abc": {2: 1.0, 4: 4.0, 8: 7.0, 16: 29.0, 32: 32.8, 64: 107.75, 128: 197.1},
}
#: nextpnr TRELLIS_COMB of the default network (configs/default.toml, bench weights) per mapper.
DEFAULT_MEASURED_LUTS = {"abc9": 1453, "abc": 2301}
#: This model's structural count of the default network's non-multiplexer logic (set by the calibration).
DEFAULT_STRUCTURAL_LUTS = 0.0  # filled below
#: COMB per structural LUT4 of the non-multiplexer logic, per mapper (set below from the default network).
LOGIC_FACTOR: dict[str, float] = {}


def _clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


def _mux_luts(inputs: int, bits: int, lut_mapper: str) -> float:
    """COMB of an ``inputs``:1 select tree ``bits`` wide (measured table, next power of two)."""
    if inputs <= 1:
        return 0.0
    table = MUX_LUT4_PER_BIT[lut_mapper]
    size = 1 << _clog2(inputs)
    per_bit = table.get(size, table[max(table)] * size / max(table))
    return bits * per_bit


def _rom_in_logic(words: int, width: int) -> bool:
    """memory_libmap lowers a ROM to logic when that costs less than the blocks it would take."""
    return words * width * ROM_LOGIC_COST_PER_BIT <= BRAM_COST * math.ceil(words / BRAM_DEPTH)


@dataclass
class LayerEstimate:
    index: int
    multipliers: int
    block_rams: int
    rom_block_rams: int
    cache_block_rams: int
    ffs: int
    luts_structural: float
    luts_mux: float = 0.0


@dataclass
class Estimate:
    multipliers: int
    block_rams: int
    ffs: int
    luts: int
    layers: list[LayerEstimate]
    luts_structural: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _layer(config: ModelConfig, plan_layer, index: int, lut_mapper: str = "abc9") -> LayerEstimate:
    lp = plan_layer
    w = config.data_format.width
    ww = config.weight_format.width
    cin, K, P, G = lp.in_channels, lp.kernel_size, lp.lanes, lp.groups
    steps = lp.mac_cycles
    A = lp.accumulator_bits
    Q = A - config.requant_shift + 1
    history = (K - 1) * lp.dilation

    # -- block RAM --------------------------------------------------------------------------------
    rom_logic = _rom_in_logic(steps, ww)
    rom_brams = 0 if rom_logic else P * math.ceil(steps / BRAM_DEPTH)  # widths <= 18 (multiplier_width)
    if index == 0 or history == 0:
        cache_words, cache_brams = 0, 0
    else:
        cache_words = (1 << _clog2(history + 1)) * (1 << _clog2(cin))
        cache_brams = math.ceil(cache_words / BRAM_DEPTH)

    # -- flip-flops -------------------------------------------------------------------------------
    counter_bits = _clog2(steps) + _clog2(cin) + _clog2(K) + _clog2(G)
    pipeline = (HISTORY_READ_LATENCY + 3) + (HISTORY_READ_LATENCY + 1) + (HISTORY_READ_LATENCY + 2)
    if G > 1:
        pipeline += (HISTORY_READ_LATENCY + 3) + HISTORY_READ_LATENCY * _clog2(G)
    control_ffs = 5 + counter_bits + pipeline
    bias_ffs = A if G > 1 else A // 2  # a single constant bias keeps only its one bits (reset value 0)
    lane_ffs = (HISTORY_READ_LATENCY - 1) * ww + bias_ffs + (w + ww) + A + Q + (ww if rom_logic else 0)
    vector_ffs = G * P * w + lp.out_channels * w + 1
    if index == 0:
        depth = history + 1
        history_ffs = depth * cin * w + HISTORY_READ_LATENCY * w
    else:
        slot_bits = _clog2(history + 1)
        history_ffs = cin * w + 4 * w + 3 + slot_bits + _clog2(max(cache_words, 1)) + 2 * w + 13
    ffs = control_ffs + P * lane_ffs + vector_ffs + history_ffs

    # -- LUTs (structural LUT4 count) ---------------------------------------------------------------
    if index == 0:
        mux_luts = _mux_luts(K * cin, w, lut_mapper)
        history_luts = 0.0
    else:
        mux_luts = _mux_luts(cin, w, lut_mapper)
        history_luts = 2 * w + (_clog2(history + 1) + 1) + _clog2(max(cache_words, 1))
    rom_luts = ww * steps / 8 if rom_logic else 0
    lane_luts = 2 * A + (ww if G > 1 else 0) + w + max(0, Q - w) / 2 + rom_luts
    control_luts = 2 * counter_bits + 10
    luts = history_luts + P * lane_luts + control_luts
    return LayerEstimate(index=index, multipliers=P, block_rams=rom_brams + cache_brams, rom_block_rams=rom_brams,
                         cache_block_rams=cache_brams, ffs=int(ffs), luts_structural=round(luts, 1),
                         luts_mux=round(mux_luts, 1))


def _luts(config: ModelConfig, plan, lut_mapper: str):
    layers = [_layer(config, lp, i, lut_mapper) for i, lp in enumerate(plan.layers)]
    reset_ffs = _clog2(plan.reset_cycles + 1) + 1 if plan.reset_cycles else 0
    structural = sum(le.luts_structural for le in layers) + 2 * reset_ffs
    return structural, sum(le.luts_mux for le in layers), layers, reset_ffs


def _calibrate() -> None:
    """:data:`LOGIC_FACTOR` from the default network: (measured COMB - its multiplexers) / structural."""
    global DEFAULT_STRUCTURAL_LUTS
    from common.config import load_config
    from rtl.plan import make_plan

    config = load_config(Path(__file__).resolve().parent.parent / "configs" / "default.toml")
    plan = make_plan(config, clock_hz=100_000_000, sample_rate_hz=192_000, multipliers=156)
    for mapper, measured in DEFAULT_MEASURED_LUTS.items():
        structural, mux, _, _ = _luts(config, plan, mapper)
        LOGIC_FACTOR[mapper] = (measured - mux) / structural
        DEFAULT_STRUCTURAL_LUTS = structural


def estimate(config: ModelConfig, plan, lut_mapper: str = "abc9") -> Estimate:
    """The estimate for ``config`` scheduled as ``plan`` (an ``rtl.plan.Plan``), LUTs for ``lut_mapper``."""
    if not LOGIC_FACTOR:
        _calibrate()
    structural, mux, layers, reset_ffs = _luts(config, plan, lut_mapper)
    return Estimate(
        luts_structural=round(structural, 1),
        multipliers=sum(le.multipliers for le in layers),
        block_rams=sum(le.block_rams for le in layers),
        ffs=sum(le.ffs for le in layers) + reset_ffs,
        luts=round(mux + structural * LOGIC_FACTOR[lut_mapper]),
        layers=layers)
