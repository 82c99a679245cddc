"""``phase_inputs``: how well each of the front end's two phase estimates places a curved core in its cycle.

The front end hands the network two readings of where the core is within its half cycle
(docs/arithmetic.md, "Front end"): ``level``, the core's value within its last swing, and ``phase``, the
samples since the last extreme over the last half period. Both are exact for an ideal triangle at a held
pitch. They fail differently: ``level`` bends where the slope curves within the half (an RC-charged core),
``phase`` where the half period changes from one half to the next (a glide, a step, FM).

This entry measures that bound, without a network: the sine a network would play if it read the phase
from one input alone, against the sine at the core's true phase, as an SNR per octave band. The cores
are the ``curved`` category's (``train/imperfect.py``: slope varying by 5 to 20 % within a half), once
on that category's own pitch paths (the synthetic glides) and once on held notes. A network's curved-core
figure cannot beat the better of the two inputs by much where it cannot tell which one to trust.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from common.config import load_config
from common.front_end import network_inputs
from common.roles import jack_roles
from train.evaluate import BANDS, band_name
from train.imperfect import PROFILES, imperfect_segment

from .registry import bench

__all__ = ["phase_bound", "phase_inputs"]

#: Takes per pitch path (held notes: per octave band), and their length (each after a settling time the
#: front end needs: two cycles at the lowest pitch).
TAKES = 8
TAKE_SECONDS = 0.5
SETTLE_SECONDS = 0.1


def _implied(rising: np.ndarray, within: np.ndarray, *, falling_reversed: bool) -> np.ndarray:
    """The cycle phase in [0, 1) that a reading ``within`` (-1.0 .. +1.0 over a half) implies: rising
    halves are the first half cycle. ``level`` runs +1.0 -> -1.0 over a falling half; ``phase`` -1 -> +1."""
    within = np.clip(within, -1.0, 1.0)
    falling = (1 - within) / 4 if falling_reversed else (within + 1) / 4
    return np.where(rising, (within + 1) / 4, 0.5 + falling)


def phase_bound(pitch: str, *, config_path: str = "configs/default.toml", seed: int = 9) -> dict:
    """Per octave band, the SNR (dB) of the sine read from ``level`` and from ``phase`` on curved cores
    whose pitch follows ``pitch`` (``glides`` as the ``curved`` test category, or ``held``)."""
    config = load_config(config_path)
    if "phase" not in config.inputs:
        config = replace(config, inputs=(*config.inputs, "phase"))
    fmt, fs = config.data_format, config.sample_rate_hz
    profile = replace(PROFILES["curved"], pitch=pitch)
    column = {role: config.inputs.index(role) for role in ("direction", "level", "phase")}
    sums = {band_name(lo, hi): [0.0, 0.0, 0.0] for lo, hi in BANDS}
    settle = int(SETTLE_SECONDS * fs)
    # glides: the category's own paths over the whole range; held notes: a few in each band
    ranges = ([(BANDS[0][0], BANDS[-1][1])] * TAKES if pitch != "held" else
              [band for band in BANDS for _ in range(TAKES // 2)])
    for take, (fmin, fmax) in enumerate(ranges):
        rng = np.random.default_rng([seed, take])
        segment = imperfect_segment(rng, int(TAKE_SECONDS * fs) + settle, fs, fmin, fmax, profile)
        codes = fmt.to_codes(segment["core"])
        jacks = np.stack([codes if role == "core" else np.zeros_like(codes) for role in jack_roles(config.inputs)],
                         axis=1)
        inputs, _ = network_inputs(config, jacks)
        rising = inputs[:, column["direction"]] > 0
        scale = fmt.scale
        truth = -np.cos(2 * np.pi * segment["phase"])
        readings = {
            "level": _implied(rising, inputs[:, column["level"]] / scale, falling_reversed=True),
            "phase": _implied(rising, inputs[:, column["phase"]] / scale, falling_reversed=False),
        }
        for lo, hi in BANDS:
            band = (segment["freq"] >= lo) & (segment["freq"] < hi)
            band[:settle] = False
            row = sums[band_name(lo, hi)]
            row[0] += float(np.sum(truth[band] ** 2))
            for k, name in enumerate(("level", "phase"), start=1):
                row[k] += float(np.sum((truth[band] + np.cos(2 * np.pi * readings[name][band])) ** 2))
    return {band: {"level_db": round(10 * np.log10(s / el), 1), "phase_db": round(10 * np.log10(s / ep), 1)}
            for band, (s, el, ep) in sums.items() if s > 0}


@bench("phase_inputs")
def phase_inputs() -> dict:
    """The sine read from ``level`` or from ``phase`` alone on curved cores, per band, glides and held notes."""
    result = {pitch: phase_bound(pitch) for pitch in ("glides", "held")}
    for pitch, bands in result.items():
        for band, row in bands.items():
            print(f"  curved cores, {pitch:6s} {band:>10s} Hz: sine from level {row['level_db']:5.1f} dB, "
                  f"from phase {row['phase_db']:5.1f} dB", flush=True)
    return result
