"""The front end: the network's input vector from the jack signals, in integer arithmetic.

``docs/arithmetic.md`` ("Front end") defines it once; this module is its executable form. The dataset
(``train/``) builds the network inputs with it, the golden model (``quantize/golden.py``) runs it ahead of
the layers, and ``rtl/front_end.py`` implements it in hardware, checked against this module sample by
sample. It is integer numpy only.

Input: the jack roles the network uses (``common.roles.jack_roles``: the core, and ``e0``/``e1`` when
used), as ``data_format`` codes. Output: one code per ``config.inputs`` role. Jack roles pass through,
``zero`` is 0, and two roles are derived from the core wave ``x``:

* ``direction``: ``+1.0`` while the core rises, ``-1.0`` while it falls. With ``d = x[t] - x[t-L]``
  (``L = direction_lag``): ``d >= T`` sets rising, ``d <= -T`` sets falling (``T = direction_threshold``),
  anything between keeps the previous value. It starts rising after reset.
* ``slope``: ``(x[t] - x[t-1]) << slope_shift``, saturated to ``data_format``.

Before the first sample the core history is all zeros (the hardware's registers start cleared), exactly
like the layers' causal zero padding. The state carries across calls, so a signal fed in pieces gives
the same codes as fed whole.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import ModelConfig
from .roles import CORE, jack_roles

__all__ = ["FrontEndState", "direction_code", "history_depth", "network_inputs", "reset_state"]


def history_depth(config: ModelConfig) -> int:
    """Past core samples the front end keeps: enough for the direction's lag and the slope's one step."""
    return max(config.front_end.direction_lag, 1)


def direction_code(config: ModelConfig, rising: bool) -> int:
    """The code of +1.0 (rising) or -1.0 (falling), saturated to ``data_format``."""
    fmt = config.data_format
    return min(fmt.scale, fmt.max_int) if rising else max(-fmt.scale, fmt.min_int)


@dataclass
class FrontEndState:
    #: The last ``history_depth`` core codes, oldest first.
    history: np.ndarray
    #: +1 rising, -1 falling.
    direction: int


def reset_state(config: ModelConfig) -> FrontEndState:
    """The state after reset: a cleared core history, direction rising."""
    return FrontEndState(np.zeros(history_depth(config), dtype=np.int64), 1)


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
    slope = np.clip(step << fe.slope_shift, fmt.min_int, fmt.max_int)

    derived = {
        "zero": np.zeros(n, dtype=np.int64),
        "direction": np.where(direction > 0, direction_code(config, True), direction_code(config, False)),
        "slope": slope,
    }
    columns = [jacks[:, roles.index(role)] if role in roles else derived[role] for role in config.inputs]
    out = np.stack(columns, axis=1) if columns else np.zeros((n, 0), np.int64)
    new_state = FrontEndState(extended[-depth:].copy(), int(direction[-1]) if n else state.direction)
    return out.astype(np.int64), new_state
