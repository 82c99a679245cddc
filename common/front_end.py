"""The front end: the network's input vector from the jack signals, in integer arithmetic.

``docs/arithmetic.md`` ("Front end") defines it once; this module is its executable form. The dataset
(``train/``) builds the network inputs with it, the golden model (``quantize/golden.py``) runs it ahead of
the layers, and ``rtl/front_end.py`` implements it in hardware, checked against this module sample by
sample. It is integer numpy only.

Input: the jack roles the network uses (``common.roles.jack_roles``: the core, and ``e0``/``e1`` when
used), as ``data_format`` codes. Output: one code per ``config.inputs`` role. Jack roles pass through,
``zero`` is 0, and five roles are derived from the core wave ``x``:

* ``direction``: ``+1.0`` while the core rises, ``-1.0`` while it falls. With ``d = x[t] - x[t-L]``
  (``L = direction_lag``): ``d >= T`` sets rising, ``d <= -T`` sets falling (``T = direction_threshold``),
  anything between keeps the previous value. It starts rising after reset.
* ``slope``: ``(x[t] - x[t-1]) << slope_shift``, saturated to ``data_format``.
* ``level``: the core placed within its last swing, ``(2 x - hi - lo) / (hi - lo)`` as a ``data_format``
  code: -1.0 at the last trough ``lo``, +1.0 at the last crest ``hi``. ``hi`` is the largest core value of
  the last rising stretch, latched when the direction turns to falling; ``lo`` the smallest of the last
  falling stretch, latched when it turns to rising.
* ``rate``: the core's last step in the same units, ``(x[t] - x[t-1]) * 2**rate_shift / (hi - lo)``.
* ``phase``: the core placed within its half period by time rather than by level: ``c`` samples since the
  last extreme (the crest or trough where the running extreme was last set before the direction turned)
  over ``P``, the length of the last half period in the same direction (the last rise while rising, the
  last fall while falling, each extreme to extreme), as ``2 c / P - 1``: -1.0 at the extreme, +1.0 a half
  period later. A core whose slope curves within the half (an RC charge) reaches its crest on time although
  its level runs ahead; ``level`` follows the level, ``phase`` the time.

The division is a reciprocal computed from the swing as it stood *before* the current sample, so the
hardware has a whole sample period to divide (``rtl/front_end.py``) while the current sample only passes
a subtraction, a multiply and a shift:

    span   = max(hi - lo, span_floor)
    recip  = (1 << K) // span                           K = FrontEndConfig.reciprocal_bits
    level  = clamp(((2 x[t] - hi - lo) * recip) >> (K - frac_bits))
    rate   = clamp(((x[t] - x[t-1]) * recip) >> (K - frac_bits - rate_shift))

with ``hi``, ``lo`` and ``recip`` the values after sample t-1, ``>>`` the arithmetic (floor) shift and
``clamp`` saturation to ``data_format``. After reset the history is zero, the direction rising, ``hi`` =
+1.0, ``lo`` = -1.0 (the ideal triangle's swing) and the running extremes 0. The state carries across
calls, so a signal fed in pieces gives the same codes as fed whole.

``phase`` needs no per-sample division either: the increment ``inc = 2**(B + 1) // max(P, 2)``
(``B = FrontEndConfig.PHASE_BITS``) changes only when ``P`` does, at a turn, and is in use a half period
later, so the hardware divides at leisure and adds ``inc`` once per sample:

    e      = 0 when the sample sets the running extreme (a turn, or beyond it), else min(e + 1, C)
    c      = min(e + 1, C) at a turn (e before it), else min(c + 1, C)        C = PHASE_COUNT_MAX
    phase  = clamp((c * inc - 2**B) >> (B - frac_bits))

At a turn the half just ended, ``P = c - e`` with both counts before the turn (extreme to extreme), is
latched into the rise's or the fall's length. The direction turns a few samples after the extreme (its lag
and threshold); timing from the extreme instead of the turn removes that delay from the phase. After reset
``c`` and ``e`` are 0 and both lengths ``C``: until the core has made a whole rise and fall, the phase only
creeps up from -1.0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ModelConfig
from .roles import CORE, jack_roles

__all__ = ["DIRECTION_USERS", "EXTREME_USERS", "STEP_USERS", "SWING_USERS", "FrontEndState", "direction_code",
           "history_depth", "network_inputs", "phase_increment", "reciprocal", "reset_state"]

#: The derived roles that need each shared part of the front end, for the implementations that build only
#: the parts a network uses (``rtl/front_end.py``, its resource model, the C port): the direction cue, the
#: step ``x[t] - x[t-1]``, the swing (``hi``, ``lo`` and their reciprocal) and the running extremes.
DIRECTION_USERS = frozenset({"direction", "level", "rate", "phase"})
STEP_USERS = frozenset({"slope", "rate"})
SWING_USERS = frozenset({"level", "rate"})
EXTREME_USERS = SWING_USERS | {"phase"}


def history_depth(config: ModelConfig) -> int:
    """Past core samples the front end keeps: enough for the direction's lag and the slope's one step; at most
    ``FrontEndConfig.MAX_HISTORY`` (the config refuses a longer lag)."""
    return max(config.front_end.direction_lag, 1)


def direction_code(config: ModelConfig, rising: bool) -> int:
    """The code of +1.0 (rising) or -1.0 (falling), saturated to ``data_format``."""
    fmt = config.data_format
    return min(fmt.scale, fmt.max_int) if rising else max(-fmt.scale, fmt.min_int)


def reciprocal(config: ModelConfig, hi, lo):
    """``(1 << K) // max(hi - lo, span_floor)`` (ints or int arrays)."""
    span = np.maximum(np.asarray(hi, dtype=np.int64) - lo, config.front_end.span_floor)
    return (np.int64(1) << config.front_end.reciprocal_bits) // span


def phase_increment(config: ModelConfig, half):
    """``2**(PHASE_BITS + 1) // max(half, PHASE_HALF_FLOOR)`` (ints or int arrays): ``phase``'s step per
    sample through a half period of ``half`` samples."""
    fe = config.front_end
    half = np.maximum(np.asarray(half, dtype=np.int64), fe.PHASE_HALF_FLOOR)
    return (np.int64(1) << (fe.PHASE_BITS + 1)) // half


@dataclass
class FrontEndState:
    #: The last ``history_depth`` core codes, oldest first.
    history: np.ndarray
    #: +1 rising, -1 falling.
    direction: int
    #: The latched swing: the last crest and trough.
    hi: int
    lo: int
    #: The running extremes of the stretch in progress (the maximum while rising, the minimum while falling).
    run_max: int
    run_min: int
    #: ``phase``'s count: samples since the last extreme, crest or trough (saturating).
    count: int
    #: Samples since the running extreme of the stretch in progress was set (saturating).
    since_extreme: int
    #: The lengths of the last rise and the last fall, in samples (``phase``'s divisors).
    half_rise: int
    half_fall: int


def reset_state(config: ModelConfig) -> FrontEndState:
    """The state after reset: a cleared core history, direction rising, the swing of the ideal +-1.0 wave."""
    one, longest = direction_code(config, True), config.front_end.PHASE_COUNT_MAX
    return FrontEndState(np.zeros(history_depth(config), dtype=np.int64), 1, one, direction_code(config, False), 0, 0,
                         0, 0, longest, longest)


def _held(events: list[tuple[int, int]], initial: int, n: int) -> np.ndarray:
    """Length ``n``: ``initial``, then from each event's index on its value (events in index order)."""
    if not events:
        return np.full(n, initial, dtype=np.int64)
    at = np.array([a for a, _ in events], dtype=np.int64)
    values = np.array([v for _, v in events], dtype=np.int64)
    which = np.searchsorted(at, np.arange(n), side="right") - 1
    return np.where(which >= 0, values[np.maximum(which, 0)], initial)


def _swing(config: ModelConfig, core: np.ndarray, direction: np.ndarray, state: FrontEndState):
    """``hi``/``lo`` as they stand *before* each sample, and the state's swing after the last one.

    Per sample (the definition; computed here a stretch of constant direction at a time): when the direction
    turns to falling, ``hi`` takes the running maximum and the running minimum restarts at the sample;
    when it turns to rising, ``lo`` takes the running minimum and the running maximum restarts; then the
    running extreme of the current direction takes in the sample.

    Also ``fresh``: whether the sample set the running extreme, at a turn (the extreme restarts at it) or by
    going strictly beyond it in the direction of travel (``phase`` times the core from its extremes)."""
    n = len(core)
    rising = state.direction > 0
    run_max, run_min = state.run_max, state.run_min
    hi_events, lo_events = [], []
    fresh = np.zeros(n, dtype=bool)
    turns = np.flatnonzero(direction != np.concatenate([[state.direction], direction[:-1]]))
    edges = sorted({0, n, *turns.tolist()})
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        now = bool(direction[a] > 0)
        turned = now != rising
        if turned:
            if rising:
                hi_events.append((a, run_max))
                run_min = int(core[a])
            else:
                lo_events.append((a, run_min))
                run_max = int(core[a])
            rising = now
        # the running extreme before each sample of the stretch: beyond it is fresh (a turn always is)
        sign = 1 if rising else -1
        stretch = sign * core[a:b]
        before = np.maximum.accumulate(np.concatenate([[sign * (run_max if rising else run_min)], stretch]))[:-1]
        fresh[a:b] = stretch > before
        fresh[a] |= turned
        if rising:
            run_max = max(run_max, int(core[a:b].max()))
        else:
            run_min = min(run_min, int(core[a:b].min()))
    hi_after = _held(hi_events, state.hi, n)
    lo_after = _held(lo_events, state.lo, n)
    hi = np.concatenate([[state.hi], hi_after[:-1]])
    lo = np.concatenate([[state.lo], lo_after[:-1]])
    return hi, lo, fresh, (int(hi_after[-1]), int(lo_after[-1]), run_max, run_min)


def _timing(config: ModelConfig, direction: np.ndarray, fresh: np.ndarray, state: FrontEndState):
    """``phase``'s count and the half period it divides by, per sample, and the state's after the last one.

    Per sample (the definition): ``e``, the samples since the running extreme was set, restarts at 0 on a
    fresh sample and otherwise goes up by one; the count ``c`` goes up by one, but at a turn it restarts at
    ``e + 1`` (the samples since the extreme just passed) and the half just ended, ``c - e`` (extreme to
    extreme), is latched as the rise's or the fall's length (both counts before the turn). Both saturate at
    ``PHASE_COUNT_MAX``. The divisor is the length of the last half in the current direction."""
    n, longest = len(direction), config.front_end.PHASE_COUNT_MAX
    t = np.arange(n)
    last_fresh = np.maximum.accumulate(np.where(fresh, t, -1))
    since = np.minimum(np.where(last_fresh >= 0, t - last_fresh, state.since_extreme + t + 1), longest)
    since_before = np.concatenate([[state.since_extreme], since[:-1]])
    before = np.concatenate([[state.direction], direction[:-1]])
    turned = direction != before
    turns = np.flatnonzero(turned)
    last_turn = np.maximum.accumulate(np.where(turned, t, -1))
    restart = np.minimum(since_before + 1, longest)  # c at a turn
    from_turn = restart[np.maximum(last_turn, 0)] + t - np.maximum(last_turn, 0)
    count = np.minimum(np.where(last_turn >= 0, from_turn, state.count + t + 1), longest)
    count_before = np.concatenate([[state.count], count[:-1]])
    ended = count_before[turns] - since_before[turns]
    rises = [(int(a), int(v)) for a, v, d in zip(turns, ended, before[turns], strict=True) if d > 0]
    falls = [(int(a), int(v)) for a, v, d in zip(turns, ended, before[turns], strict=True) if d < 0]
    half_rise = _held(rises, state.half_rise, n)
    half_fall = _held(falls, state.half_fall, n)
    half = np.where(direction > 0, half_rise, half_fall)
    return count, half, (int(count[-1]), int(since[-1]), int(half_rise[-1]), int(half_fall[-1]))


def network_inputs(config: ModelConfig, jacks: np.ndarray,
                   state: FrontEndState | None = None) -> tuple[np.ndarray, FrontEndState]:
    """``jacks``: int array (samples, len(jack_roles(config.inputs))) of ``data_format`` codes in
    ``jack_roles`` order. Returns the network input codes (samples, n_inputs) in ``config.inputs`` order
    and the state after the last sample (pass it back in to continue the signal)."""
    roles = jack_roles(config.inputs)
    jacks = np.asarray(jacks)
    if jacks.ndim != 2 or jacks.shape[1] != len(roles):
        raise ValueError(f"jack signals must have shape (samples, {len(roles)}) for {list(roles)}, got {jacks.shape}")
    if not np.issubdtype(jacks.dtype, np.integer):
        raise TypeError(f"jack signals must be integer {config.data_format} codes, got dtype {jacks.dtype}")
    fmt, fe = config.data_format, config.front_end
    jacks = jacks.astype(np.int64)
    if jacks.size and (jacks.min() < fmt.min_int or jacks.max() > fmt.max_int):
        raise ValueError(f"jack codes must lie in [{fmt.min_int}, {fmt.max_int}] ({fmt})")
    state = reset_state(config) if state is None else state
    depth = history_depth(config)
    n = len(jacks)
    core = jacks[:, roles.index(CORE)]
    extended = np.concatenate([state.history, core])  # extended[depth + t] = x[t]

    # direction: a sign with a dead zone, then the last non-zero sign held (the initial state before it)
    diff = core - extended[depth - fe.direction_lag:depth - fe.direction_lag + n]
    sign = np.where(diff >= fe.direction_threshold, 1, np.where(diff <= -fe.direction_threshold, -1, 0))
    last = np.maximum.accumulate(np.where(sign != 0, np.arange(n), -1)) if n else np.zeros(0, np.int64)
    direction = np.where(last >= 0, sign[np.maximum(last, 0)], state.direction)
    step = core - extended[depth - 1:depth - 1 + n]

    if n:
        hi, lo, fresh, (hi_end, lo_end, run_max, run_min) = _swing(config, core, direction, state)
        count, half, (count_end, since_end, rise_end, fall_end) = _timing(config, direction, fresh, state)
    else:
        hi = lo = count = half = np.zeros(0, dtype=np.int64)
    recip = reciprocal(config, hi, lo)
    shift = fe.reciprocal_bits - fmt.frac_bits

    derived = {
        "zero": np.zeros(n, dtype=np.int64),
        "direction": np.where(direction > 0, direction_code(config, True), direction_code(config, False)),
        "slope": np.clip(step << fe.slope_shift, fmt.min_int, fmt.max_int),
        "level": np.clip(((2 * core - hi - lo) * recip) >> shift, fmt.min_int, fmt.max_int),
        "rate": np.clip((step * recip) >> (shift - fe.rate_shift), fmt.min_int, fmt.max_int),
        "phase": np.clip((count * phase_increment(config, half) - (1 << fe.PHASE_BITS))
                         >> (fe.PHASE_BITS - fmt.frac_bits), fmt.min_int, fmt.max_int),
    }
    columns = [jacks[:, roles.index(role)] if role in roles else derived[role] for role in config.inputs]
    out = np.stack(columns, axis=1) if columns else np.zeros((n, 0), np.int64)
    if n:
        new_state = FrontEndState(extended[-depth:].copy(), int(direction[-1]), hi_end, lo_end, run_max, run_min,
                                  count_end, since_end, rise_end, fall_end)
    else:
        new_state = state
    return out.astype(np.int64), new_state
