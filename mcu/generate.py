"""Portable C99 of the front end and the cached network: ``waveshaper.h`` and ``waveshaper.c``.

``generate_c(network)`` returns both texts; ``write_c(network, out)`` writes them. The C computes, one
jack vector in and one output vector out per call, exactly the arithmetic of docs/arithmetic.md:

* **front end**: the jack codes pass through; ``direction``, ``slope``, ``level`` and ``rate`` are derived
  from the core with the same comparisons, shifts, products and saturations as ``common/front_end.py``,
  and the swing (``hi``, ``lo``, their reciprocal) is updated after the outputs, so ``level`` and ``rate``
  use the swing from before the sample. ``phase`` keeps the counts since the last extreme and since the
  running one, and the sum ``c * inc - 2**B`` (64 bits), stepped before the outputs as the definition has
  it; it divides and multiplies only at a turn, for the half just ended.
* **layers**: each layer's input history is a ring buffer of ``history + 1`` vectors (the caching of the
  fast WaveNet), written twice, at ``pos`` and ``pos + rows``, so the window of a kernel is always
  contiguous: tap ``k`` of the current sample is row ``pos + 1 + k * dilation``, no wrap-around test per
  tap. The accumulator starts at ``(bias << df) + R``, adds the exact products, is shifted with the
  configured rounding, saturated to ``data_format`` and passed through ReLU (all but the last layer).
* **the multiply-accumulates** (``mcu.plan``): with 16-bit formats two channels share a word and one
  SMLAD (32-bit accumulator) or SMLALD (64-bit) does two products; the ACLE intrinsics of ``arm_acle.h``
  are used where the compiler announces the DSP extension (``__ARM_FEATURE_DSP``), and a plain C
  definition of the same operation everywhere else, so the host's compiler checks the same code. The
  clamps are SSAT/USAT there (``__ARM_FEATURE_SAT``), and the weights are read two words per LDRD.
  docs/mcu.md has the measured effect of each choice.

State is static (no heap); ``ws_reset`` clears it to the state after reset (the caches zero: the causal
zero padding; the front end rising with the ideal swing). The helpers below (``tap_back``,
``saturation_lines``, ``weight_words``) are separate so the tests can break each one and see the
comparison with the golden model fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import ModelConfig
from common.front_end import (
    DIRECTION_USERS,
    EXTREME_USERS,
    STEP_USERS,
    SWING_USERS,
    direction_code,
    history_depth,
    phase_increment,
    reciprocal,
    reset_state,
)
from common.roles import JACK_ROLES, jack_roles
from quantize.weights import QuantizedNetwork

from .plan import INT32_MAX, INT32_MIN, LayerPlan, NetworkPlan, accumulator_starts, plan_network

__all__ = ["GeneratedC", "generate_c", "saturation_lines", "tap_back", "weight_words", "write_c"]

#: Base name of the generated files.
NAME = "waveshaper"


@dataclass(frozen=True)
class GeneratedC:
    header: str
    source: str
    plan: NetworkPlan


# -- pieces the tests mutate ---------------------------------------------------------------------------


def tap_back(plan: LayerPlan, k: int) -> int:
    """How many samples back kernel tap ``k`` looks (tap ``kernel_size - 1`` is the newest sample)."""
    return (plan.kernel_size - 1 - k) * plan.dilation


def saturation_lines(var: str, low: int, high: int, wide: bool = False) -> list[str]:
    """C statements that saturate ``var`` (int32, or int64 when ``wide``) to ``[low, high]``
    (docs/arithmetic.md: narrowing saturates, nothing wraps). ``low`` is 0 after a ReLU: clamping to the
    format and then at 0 is one clamp. The two ranges that occur are exactly those of the M7's saturating
    instructions: signed ``bits`` wide (SSAT) and, after a ReLU, unsigned ``bits - 1`` wide (USAT)."""
    bits = high.bit_length()
    if not wide and high == (1 << bits) - 1 and low == -(1 << bits):
        return [f"{var} = WS_SSAT({var}, {bits + 1}, {low}, {high});"]
    if not wide and high == (1 << bits) - 1 and low == 0:
        return [f"{var} = WS_USAT({var}, {bits}, {high});"]
    return [f"if ({var} < {low}) {var} = {low}; else if ({var} > {high}) {var} = {high};"]


def weight_words(plan: LayerPlan, weights: np.ndarray, pairs: bool) -> list[int]:
    """The layer's kernel in the order the generated loop reads it: per group of outputs, per tap, per
    input word, one word per output of the group. With pairs each word holds channels ``2j`` (low half)
    and ``2j + 1`` (high half) as 16-bit two's complement (the padding channel's weight is 0)."""
    w = np.asarray(weights, dtype=np.int64)
    words = []
    for first in range(0, plan.filters, plan.group):
        outputs = range(first, min(first + plan.group, plan.filters))
        for k in range(plan.kernel_size):
            for j in range(plan.words):
                for o in outputs:
                    if pairs:
                        low = int(w[k, 2 * j, o])
                        high = int(w[k, 2 * j + 1, o]) if 2 * j + 1 < plan.in_channels else 0
                        words.append((low & 0xFFFF) | ((high & 0xFFFF) << 16))
                    else:
                        words.append(int(w[k, j, o]))
    return words


# -- C text --------------------------------------------------------------------------------------------


def _c_int(value: int, bits: int) -> str:
    """A C literal of a signed ``bits``-wide value (INT64_C for 64 bits; INT32_MIN spelled without overflow)."""
    if bits == 64:
        return f"INT64_C({value})" if value != -(1 << 63) else "INT64_MIN"
    return str(value) if value != INT32_MIN else "(-2147483647 - 1)"


def _array(ctype: str, name: str, values: list, per_line: int = 8) -> list[str]:
    lines = [f"static const {ctype} {name}[{max(len(values), 1)}] = {{"]
    texts = list(values) or ["0"]
    for i in range(0, len(texts), per_line):
        lines.append("    " + ", ".join(texts[i:i + per_line]) + ",")
    lines.append("};")
    return lines


def _word_type(pairs: bool) -> str:
    return "uint32_t" if pairs else "int32_t"


def _mac(plan: LayerPlan, pairs: bool) -> str:
    if pairs:
        return "WS_SMLAD" if plan.accumulator_bits == 32 else "WS_SMLALD"
    return "WS_MLA32" if plan.accumulator_bits == 32 else "WS_MLA64"


def _requantize_lines(config: ModelConfig, plan: LayerPlan, acc: str, q: str) -> list[str]:
    """Statements that set ``q`` (an int32 declared by the caller) to the output code of accumulator
    ``acc``: the shift with the configured rounding, then saturation (and the ReLU). Where the shifted
    value may exceed 32 bits (a 64-bit accumulator and a small shift) it saturates in 64 bits first."""
    shift = config.requant_shift
    fmt = config.data_format
    low = 0 if plan.relu else fmt.min_int
    wide = plan.accumulator_bits == 64 and not plan.shifted_fits_32
    var = f"{q}w" if wide else q
    shifted = f"{acc} >> {shift}" if shift else acc
    if wide:
        lines = [f"int64_t {var} = {shifted};"]
    else:
        lines = [f"{q} = (int32_t)({shifted});" if plan.accumulator_bits == 64 else f"{q} = {shifted};"]
    if config.rounding == "half_even" and shift > 0:
        mask, half = (1 << shift) - 1, 1 << (shift - 1)
        rem = f"((uint32_t){acc} & {mask}u)"  # the discarded bits (the low word of acc, two's complement)
        lines.append(f"{var} += ({rem} > {half}u) | (({rem} == {half}u) & ((uint32_t){var} & 1u));")
    lines += saturation_lines(var, low, fmt.max_int, wide)
    if wide:
        lines = ["{", *("    " + line for line in lines), f"    {q} = (int32_t){var};", "}"]
    return lines


def _group_lines(config: ModelConfig, plan: LayerPlan, pairs: bool, size: int, last: bool) -> list[str]:
    """One group of ``size`` outputs: start values, the unrolled multiply-accumulates, the requantization
    and the stores (into both rows of the next layer's cache, or into ``out``)."""
    acc_type = "int32_t" if plan.accumulator_bits == 32 else "int64_t"
    mac = _mac(plan, pairs)
    word_type = _word_type(pairs)
    lines = [f"{acc_type} a{m} = start[{m}];" for m in range(size)]
    lines.append(f"{word_type} xv, {', '.join(f'w{m}' for m in range(size))};")
    loads = [f"WS_LOAD2(w, w{m}, w{m + 1});" for m in range(0, size - 1, 2)] + (
        [f"w{size - 1} = *w++;"] if size % 2 else [])
    for k in range(plan.kernel_size):
        row = plan.history - tap_back(plan, k)  # rows after the oldest of the window
        for j in range(plan.words):
            lines.append(f"xv = x[{row * plan.words + j}]; " + " ".join(loads))
            lines.append(" ".join(f"a{m} = {mac}(xv, w{m}, a{m});" for m in range(size)))
    lines.append(f"int32_t {', '.join(f'q{m}' for m in range(size))};")
    for m in range(size):
        lines += _requantize_lines(config, plan, f"a{m}", f"q{m}")
    if last:
        lines += [f"out[{m}] = (ws_code_t)q{m};" for m in range(size)]
    elif pairs:
        for p in range(0, size, 2):
            high = f"q{p + 1}" if p + 1 < size else "0"
            lines.append(f"da[{p // 2}] = db[{p // 2}] = WS_PACK(q{p}, {high});")
    else:
        lines += [f"da[{m}] = db[{m}] = q{m};" for m in range(size)]
    return lines


def _layer_function(network: QuantizedNetwork, plan: LayerPlan, pairs: bool) -> list[str]:
    config = network.config
    i = plan.index
    last = i == len(config.layers) - 1
    word_type = _word_type(pairs)
    acc_type = "int32_t" if plan.accumulator_bits == 32 else "int64_t"
    words = weight_words(plan, network.layers[i].weights, pairs)
    values = [f"0x{v:08X}u" for v in words] if pairs else [_c_int(v, 32) for v in words]
    starts = [_c_int(v, plan.accumulator_bits) for v in accumulator_starts(config, network.layers[i].bias)]
    lines = [f"/* layer {i}: {plan.filters} outputs, kernel {plan.kernel_size}, dilation {plan.dilation}, "
             f"{plan.in_channels} inputs in {plan.words} words; {plan.accumulator_bits}-bit accumulators "
             f"(exact range [{plan.accumulator_min}, {plan.accumulator_max}]) */"]
    lines += _array(word_type, f"ws_w{i}", values)
    lines += _array(acc_type, f"ws_start{i}", starts, per_line=6)
    target = "ws_code_t *out" if last else f"{word_type} *da, {word_type} *db"
    lines.append(f"static void ws_layer{i}(const {word_type} *x, {target})")
    lines.append("{")
    lines.append(f"    const {word_type} *w = ws_w{i};  /* read in order, once per sample */")
    lines.append(f"    const {acc_type} *start = ws_start{i};")
    full, rest = divmod(plan.filters, plan.group)
    step_out = plan.group if (last or not pairs) else plan.group // 2
    advance = f"start += {plan.group}; " + (
        f"out += {plan.group};" if last else f"da += {step_out}; db += {step_out};")
    if full:
        lines.append("    int g;")
        lines.append(f"    for (g = 0; g < {full}; ++g) {{")
        lines.append("        WS_OPAQUE(x);")
        lines += ["        " + line for line in _group_lines(config, plan, pairs, plan.group, last)]
        lines.append(f"        {advance}")
        lines.append("    }")
    if rest:
        lines.append("    {")
        lines += ["        " + line for line in _group_lines(config, plan, pairs, rest, last)]
        lines.append("    }")
    lines.append("}")
    return lines


def _clamp(expr: str, config: ModelConfig, wide: bool) -> str:
    fmt = config.data_format
    return f"ws_clamp{'64' if wide else '32'}({expr}, {fmt.min_int}, {fmt.max_int})"


def _front_end(config: ModelConfig, plan: NetworkPlan) -> list[str]:
    """The front end (docs/arithmetic.md, "Front end") and the packing of the network's input vector
    into both rows of layer 0's cache."""
    fe, fmt = config.front_end, config.data_format
    roles = config.inputs
    need_direction = bool(DIRECTION_USERS.intersection(roles))
    need_phase = "phase" in roles
    need_swing = bool(SWING_USERS.intersection(roles))
    need_step = bool(STEP_USERS.intersection(roles))
    lag = fe.direction_lag
    depth = history_depth(config)
    k_bits = fe.reciprocal_bits
    up, down = direction_code(config, True), direction_code(config, False)
    recip_max = int(reciprocal(config, 1, 0))  # the largest reciprocal: span at its floor
    swing_max = 2 * (fmt.max_int - fmt.min_int)  # |2x - hi - lo| at most
    step_max = fmt.max_int - fmt.min_int

    lines = ["/* front end state: the last core codes, the direction, the swing and its reciprocal */"]
    lines.append(f"static int32_t ws_fe_history[{depth}];  /* ws_fe_history[ws_fe_oldest] = x[t - {depth}] */")
    lines.append("static int ws_fe_oldest;")
    lines.append("static int32_t ws_fe_previous;  /* x[t - 1] */")
    if need_direction:
        lines.append("static int ws_fe_rising;")
    need_extremes = bool(EXTREME_USERS.intersection(roles))
    if need_swing:
        lines.append("static int32_t ws_fe_hi, ws_fe_lo, ws_fe_recip;")
    if need_extremes:
        lines.append("static int32_t ws_fe_run_max, ws_fe_run_min;")
    if need_phase:
        lines.append("/* phase: samples since the last extreme and since the running one, the increments of the last")
        lines.append(" * rise and fall, c * inc - 2**B */")
        lines.append("static int32_t ws_fe_count, ws_fe_since, ws_fe_inc_rise, ws_fe_inc_fall;")
        lines.append("static int64_t ws_fe_phase_sum;")
    lines.append("")
    lines.append("static void ws_front_end_reset(void)")
    lines.append("{")
    lines.append("    int i;")
    lines.append(f"    for (i = 0; i < {depth}; ++i) ws_fe_history[i] = 0;")
    lines.append("    ws_fe_oldest = 0;")
    lines.append("    ws_fe_previous = 0;")
    if need_direction:
        lines.append("    ws_fe_rising = 1;")
    if need_swing:
        lines.append(f"    ws_fe_hi = {up};")
        lines.append(f"    ws_fe_lo = {down};")
        lines.append(f"    ws_fe_recip = {int(reciprocal(config, up, down))};")
    if need_extremes:
        lines.append("    ws_fe_run_max = 0;")
        lines.append("    ws_fe_run_min = 0;")
    if need_phase:
        start = reset_state(config)
        lines.append(f"    ws_fe_count = {start.count};")
        lines.append(f"    ws_fe_since = {start.since_extreme};")
        lines.append(f"    ws_fe_inc_rise = {int(phase_increment(config, start.half_rise))};")
        lines.append(f"    ws_fe_inc_fall = {int(phase_increment(config, start.half_fall))};")
        lines.append(f"    ws_fe_phase_sum = {start.count} * (int64_t)ws_fe_inc_rise - {1 << fe.PHASE_BITS};")
    lines.append("}")
    lines.append("")
    word = _word_type(plan.pairs)
    lines.append(f"static void ws_front_end(const ws_code_t *jacks, {word} *da, {word} *db)")
    lines.append("{")
    lines.append("    const int32_t x = jacks[WS_JACK_CORE];")
    if need_direction:
        lag_index = "ws_fe_oldest" if lag == depth else f"(ws_fe_oldest + {depth - lag}) % {depth}"
        lines.append(f"    const int32_t diff = x - ws_fe_history[{lag_index}];  /* x[t] - x[t - {lag}] */")
        lines.append("    int rising = ws_fe_rising;")
        lines.append(f"    if (diff >= {fe.direction_threshold}) rising = 1;")
        lines.append(f"    else if (diff <= -{fe.direction_threshold}) rising = 0;")
    if need_step:
        lines.append("    const int32_t step = x - ws_fe_previous;")
    if need_phase:
        longest, floor = fe.PHASE_COUNT_MAX, fe.PHASE_HALF_FLOOR
        lines.append("    /* phase: a turn latches the half just ended (extreme to extreme) and restarts the count")
        lines.append("     * from the extreme; otherwise both counts step, the one since the running extreme")
        lines.append("     * restarting when the sample goes beyond it */")
        lines.append("    if (rising != ws_fe_rising) {")
        lines.append("        const int32_t half = ws_fe_count - ws_fe_since;")
        lines.append(f"        const int32_t inc = {1 << (fe.PHASE_BITS + 1)} / (half > {floor} ? half : {floor});")
        lines.append("        if (rising) ws_fe_inc_fall = inc; else ws_fe_inc_rise = inc;")
        lines.append(f"        ws_fe_count = ws_fe_since == {longest} ? {longest} : ws_fe_since + 1;")
        lines.append("        ws_fe_since = 0;")
        lines.append("        ws_fe_phase_sum = (int64_t)ws_fe_count * (rising ? ws_fe_inc_rise : ws_fe_inc_fall)"
                     f" - {1 << fe.PHASE_BITS};")
        lines.append("    } else {")
        lines.append(f"        if (ws_fe_count != {longest}) {{")
        lines.append("            ws_fe_count += 1;")
        lines.append("            ws_fe_phase_sum += rising ? ws_fe_inc_rise : ws_fe_inc_fall;")
        lines.append("        }")
        lines.append("        if (rising ? x > ws_fe_run_max : x < ws_fe_run_min) ws_fe_since = 0;")
        lines.append(f"        else if (ws_fe_since != {longest}) ws_fe_since += 1;")
        lines.append("    }")
    inputs = []
    for role in roles:
        if role in JACK_ROLES:
            inputs.append(f"jacks[WS_JACK_{role.upper()}]")
        elif role == "zero":
            inputs.append("0")
        elif role == "direction":
            inputs.append(f"(rising ? {up} : {down})")
        elif role == "slope":
            wide = step_max << fe.slope_shift > INT32_MAX
            product = f"(int64_t)step * {1 << fe.slope_shift}" if wide else f"step * {1 << fe.slope_shift}"
            lines.append(f"    const int32_t slope = {'(int32_t)' if wide else ''}{_clamp(product, config, wide)};")
            inputs.append("slope")
        elif role == "level":
            shift = k_bits - fmt.frac_bits
            wide = (swing_max * recip_max) >> shift > INT32_MAX
            product = "(int64_t)(2 * x - ws_fe_hi - ws_fe_lo) * ws_fe_recip"
            value = f"({product}) >> {shift}" if wide else f"(int32_t)(({product}) >> {shift})"
            lines.append(f"    const int32_t level = {'(int32_t)' if wide else ''}{_clamp(value, config, wide)};")
            inputs.append("level")
        elif role == "rate":
            shift = k_bits - fmt.frac_bits - fe.rate_shift
            wide = (step_max * recip_max) >> shift > INT32_MAX
            product = "(int64_t)step * ws_fe_recip"
            value = f"({product}) >> {shift}" if wide else f"(int32_t)(({product}) >> {shift})"
            lines.append(f"    const int32_t rate = {'(int32_t)' if wide else ''}{_clamp(value, config, wide)};")
            inputs.append("rate")
        elif role == "phase":
            value = f"ws_fe_phase_sum >> {fe.PHASE_BITS - fmt.frac_bits}"
            lines.append(f"    const int32_t phase = (int32_t){_clamp(value, config, True)};")
            inputs.append("phase")
    if plan.pairs:
        padded = inputs + (["0"] if len(inputs) % 2 else [])
        for j in range(len(padded) // 2):
            lines.append(f"    da[{j}] = db[{j}] = WS_PACK({padded[2 * j]}, {padded[2 * j + 1]});")
    else:
        for j, value in enumerate(inputs):
            lines.append(f"    da[{j}] = db[{j}] = {value};")
    if need_swing:
        lines.append("    /* the swing, after the outputs: a turn latches the finished stretch's extreme */")
        lines.append("    if (rising != ws_fe_rising) {")
        lines.append("        if (rising) { ws_fe_lo = ws_fe_run_min; ws_fe_run_max = x; }")
        lines.append("        else { ws_fe_hi = ws_fe_run_max; ws_fe_run_min = x; }")
        lines.append("        {")
        lines.append("            const int32_t span = ws_fe_hi - ws_fe_lo;")
        lines.append(f"            ws_fe_recip = {1 << k_bits} / (span > {fe.span_floor} ? span : {fe.span_floor});")
        lines.append("        }")
        lines.append("    }")
    elif need_extremes:
        lines.append("    /* the running extremes, after the outputs: a turn restarts the new direction's */")
        lines.append("    if (rising != ws_fe_rising) {")
        lines.append("        if (rising) ws_fe_run_max = x; else ws_fe_run_min = x;")
        lines.append("    }")
    if need_extremes:
        lines.append("    if (rising) { if (x > ws_fe_run_max) ws_fe_run_max = x; }")
        lines.append("    else if (x < ws_fe_run_min) ws_fe_run_min = x;")
    if need_direction:
        lines.append("    ws_fe_rising = rising;")
    lines.append("    ws_fe_history[ws_fe_oldest] = x;")
    lines.append(f"    ws_fe_oldest = ws_fe_oldest + 1 == {depth} ? 0 : ws_fe_oldest + 1;")
    lines.append("    ws_fe_previous = x;")
    lines.append("}")
    return lines


PRIMITIVES = r"""/* The multiply-accumulates. On a core with the DSP extension (Cortex-M4/M7) they are single
 * instructions: SMLAD adds the products of the low halves and of the high halves of two words to a 32-bit
 * accumulator, SMLALD to a 64-bit one (Armv7-M Architecture Reference Manual). Everywhere else the same
 * operation in plain C. The plan proves that no accumulator leaves its width, so neither form wraps. */
#if defined(__ARM_FEATURE_DSP) || defined(__ARM_FEATURE_SAT)
#include <arm_acle.h>
#endif
#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#define WS_SMLAD(x, w, a) __smlad((int16x2_t)(x), (int16x2_t)(w), (a))
#define WS_SMLALD(x, w, a) __smlald((int16x2_t)(x), (int16x2_t)(w), (a))
#else
static inline int32_t ws_low16(uint32_t v) { return (int32_t)(v & 0x7FFFu) - (int32_t)(v & 0x8000u); }
static inline int32_t ws_high16(uint32_t v) { return ws_low16(v >> 16); }
static inline int32_t ws_smlad(uint32_t x, uint32_t w, int32_t a)
{
    a += ws_low16(x) * ws_low16(w);
    return a + ws_high16(x) * ws_high16(w);
}
static inline int64_t ws_smlald(uint32_t x, uint32_t w, int64_t a)
{
    a += (int64_t)(ws_low16(x) * ws_low16(w));
    return a + (int64_t)(ws_high16(x) * ws_high16(w));
}
#define WS_SMLAD(x, w, a) ws_smlad((x), (w), (a))
#define WS_SMLALD(x, w, a) ws_smlald((x), (w), (a))
#endif
/* The next two weight words, and the pointer past them: one LDRD with post-increment in Thumb-2 (the
 * compiler does not pair the two loads itself), two loads elsewhere. */
#if defined(__thumb2__) && defined(__GNUC__)
#define WS_LOAD2(p, a, b) __asm__("ldrd %0, %1, [%2], #8" : "=r"(a), "=r"(b), "+r"(p))
#else
#define WS_LOAD2(p, a, b) ((a) = (p)[0], (b) = (p)[1], (p) += 2)
#endif
/* Hides a pointer's value from the optimizer (no instruction): the inputs are then read where they are
 * used, once per group of outputs, instead of being copied to the stack ahead of the loop. */
#if defined(__GNUC__)
#define WS_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define WS_OPAQUE(p) ((void)0)
#endif
#define WS_MLA32(x, w, a) ((a) + (w) * (x))
#define WS_MLA64(x, w, a) ((a) + (int64_t)(w) * (x))
/* Two 16-bit codes in one word, the first in the low half. */
#define WS_PACK(low, high) (((uint32_t)(low) & 0xFFFFu) | ((uint32_t)(high) << 16))

/* C99 leaves >> of a negative value to the implementation; the arithmetic needs the arithmetic shift
 * (floor), which GCC and Clang define. A compiler that shifts otherwise fails here, at compile time. */
typedef char ws_shift_is_arithmetic[((-7 >> 1) == -4 && (INT64_C(-7) >> 1) == -4) ? 1 : -1];

static inline int32_t ws_clamp32(int32_t v, int32_t low, int32_t high) { return v < low ? low : v > high ? high : v; }
static inline int64_t ws_clamp64(int64_t v, int64_t low, int64_t high) { return v < low ? low : v > high ? high : v; }

/* Saturation to a signed `bits`-wide range [low, high], and to the unsigned range [0, high] of `bits`
 * bits: SSAT and USAT on cores that have them (__ARM_FEATURE_SAT), the same clamp elsewhere. */
#if defined(__ARM_FEATURE_SAT)
#define WS_SSAT(v, bits, low, high) __ssat((v), (bits))
#define WS_USAT(v, bits, high) ((int32_t)__usat((v), (bits)))
#else
#define WS_SSAT(v, bits, low, high) ws_clamp32((v), (low), (high))
#define WS_USAT(v, bits, high) ws_clamp32((v), 0, (high))
#endif
"""


def _source(network: QuantizedNetwork, plan: NetworkPlan) -> str:
    config = network.config
    word = _word_type(plan.pairs)
    lines = [f"/* {NAME}.c: generated by `python -m mcu` from the {config.name!r} network. Do not edit.",
             " * The integer arithmetic of docs/arithmetic.md, bit-exact to quantize/golden.py. */",
             f'#include "{NAME}.h"', ""]
    lines += PRIMITIVES.splitlines()
    lines.append("")
    lines += _front_end(config, plan)
    lines.append("")
    for lp in plan.layers:
        lines.append(f"static {word} ws_cache{lp.index}[{2 * lp.rows}][{lp.words}];  /* two copies of "
                     f"{lp.rows} rows */")
        lines.append(f"static int ws_pos{lp.index};")
    lines.append("")
    for lp in plan.layers:
        lines += _layer_function(network, lp, plan.pairs)
        lines.append("")
    lines.append("static void ws_step(const ws_code_t *jacks, ws_code_t *out)")
    lines.append("{")
    lines.append(f"    ws_front_end(jacks, ws_cache0[ws_pos0], ws_cache0[ws_pos0 + {plan.layers[0].rows}]);")
    for lp in plan.layers:
        i = lp.index
        window = f"ws_cache{i}[ws_pos{i} + 1]"
        if i == len(plan.layers) - 1:
            lines.append(f"    ws_layer{i}({window}, out);")
        else:
            nxt = plan.layers[i + 1]
            lines.append(f"    ws_layer{i}({window}, ws_cache{i + 1}[ws_pos{i + 1}], "
                         f"ws_cache{i + 1}[ws_pos{i + 1} + {nxt.rows}]);")
    for lp in plan.layers:
        i = lp.index
        lines.append(f"    ws_pos{i} = ws_pos{i} + 1 == {lp.rows} ? 0 : ws_pos{i} + 1;")
    lines.append("}")
    lines.append("")
    lines.append("void ws_reset(void)")
    lines.append("{")
    lines.append("    int r, c;")
    for lp in plan.layers:
        i = lp.index
        lines.append(f"    for (r = 0; r < {2 * lp.rows}; ++r) for (c = 0; c < {lp.words}; ++c) "
                     f"ws_cache{i}[r][c] = 0;")
        lines.append(f"    ws_pos{i} = 0;")
    lines.append("    ws_front_end_reset();")
    lines.append("}")
    lines.append("")
    lines.append("void ws_init(void)")
    lines.append("{")
    lines.append("    ws_reset();")
    lines.append("}")
    lines.append("")
    lines.append("void ws_process(const ws_code_t jacks[WS_JACKS], ws_code_t out[WS_OUTPUTS])")
    lines.append("{")
    lines.append("    ws_step(jacks, out);")
    lines.append("}")
    lines.append("")
    lines.append("void ws_process_block(const ws_code_t *jacks, ws_code_t *out, size_t samples)")
    lines.append("{")
    lines.append("    size_t t;")
    lines.append("    for (t = 0; t < samples; ++t) ws_step(jacks + t * WS_JACKS, out + t * WS_OUTPUTS);")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _header(config: ModelConfig, plan: NetworkPlan) -> str:
    fmt = config.data_format
    jacks = jack_roles(config.inputs)
    guard = f"{NAME.upper()}_H"
    code_type = "int16_t" if fmt.width <= 16 else "int32_t"
    lines = [f"/* {NAME}.h: generated by `python -m mcu` from the {config.name!r} network. Do not edit.",
             " *",
             " * The neural waveshaper: the front end and the cached dilated-convolution network in the integer",
             " * arithmetic of docs/arithmetic.md. One jack vector in, one output vector out per call; all",
             f" * values are {fmt} codes (two's complement, 1.0 = {fmt.scale}). Static state, no heap; not",
             " * reentrant (one instance). */",
             f"#ifndef {guard}", f"#define {guard}", "", "#include <stddef.h>", "#include <stdint.h>", "",
             "#ifdef __cplusplus", 'extern "C" {', "#endif", "",
             f"#define WS_CONFIG_NAME \"{config.name}\"",
             "/* The audio rate the network was trained for: run it at this rate. */",
             f"#define WS_SAMPLE_RATE_HZ {config.sample_rate_hz}",
             "/* The output plays the target of the core this many samples back; delay a dry core as much. */",
             f"#define WS_LOOKAHEAD {config.lookahead}",
             "/* The real value 1.0 of a code is this many volts at a jack (eurorack audio: +-5 V). */",
             f"#define WS_VOLTS_PER_UNIT {float(config.volts_per_unit)!r}",
             f"#define WS_DATA_BITS {fmt.width}",
             f"#define WS_DATA_FRAC_BITS {fmt.frac_bits}",
             f"#define WS_CODE_MIN ({fmt.min_int})",
             f"#define WS_CODE_MAX {fmt.max_int}",
             f"#define WS_MACS_PER_SAMPLE {config.macs_per_sample}",
             f"/* Jack vector: {', '.join(jacks)} */",
             f"#define WS_JACKS {len(jacks)}"]
    lines += [f"#define WS_JACK_{role.upper()} {i}" for i, role in enumerate(jacks)]
    lines += [f"#define WS_OUTPUTS {config.n_outputs}", "",
              f"typedef {code_type} ws_code_t;", "",
              "/* Clear the state (call once before the first sample). */",
              "void ws_init(void);",
              "/* Back to the state after reset: caches zero (causal padding), front end rising, swing +-1.0. */",
              "void ws_reset(void);",
              "/* One sample: jacks[WS_JACKS] in, out[WS_OUTPUTS] out. Jack codes must lie in",
              " * [WS_CODE_MIN, WS_CODE_MAX]. */",
              "void ws_process(const ws_code_t jacks[WS_JACKS], ws_code_t out[WS_OUTPUTS]);",
              "/* `samples` samples: jacks interleaved (samples x WS_JACKS), out (samples x WS_OUTPUTS). */",
              "void ws_process_block(const ws_code_t *jacks, ws_code_t *out, size_t samples);", "",
              "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* {guard} */"]
    return "\n".join(lines) + "\n"


def generate_c(network: QuantizedNetwork) -> GeneratedC:
    """The header and the source of ``network`` (see the module docstring)."""
    plan = plan_network(network)
    return GeneratedC(_header(network.config, plan), _source(network, plan), plan)


def write_c(network: QuantizedNetwork, out: str | Path) -> tuple[Path, Path, NetworkPlan]:
    """Write ``<out>/waveshaper.h`` and ``<out>/waveshaper.c``; return their paths and the plan."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    generated = generate_c(network)
    header, source = out / f"{NAME}.h", out / f"{NAME}.c"
    header.write_text(generated.header)
    source.write_text(generated.source)
    return header, source, generated.plan
