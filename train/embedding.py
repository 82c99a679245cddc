"""The embedding square: two CVs (e0, e1) in [0, 1]^2 choose the output wave.

Each target wave sits on a corner; everything between is a **constant-power bilinear blend**, so the whole
square, including (0, 0) (what two unplugged CV jacks read) and the interior, is a trained point (the
prototype trained only the edges: docs/prior-work.md, defect 8)::

    e1 = 1   ramp (0,1) ---------- square (1,1)
               |                        |
    e1 = 0   sine (0,0) ---------- zigzag (1,0)
             e0 = 0                  e0 = 1

Weights: sine cos(a)cos(b), ramp cos(a)sin(b), square sin(a)sin(b), zigzag sin(a)cos(b), with
a = pi e0 / 2 and b = pi e1 / 2. Their squares sum to 1 everywhere (constant power for uncorrelated
waves), and at a corner exactly one weight is 1.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CORNERS",
    "blend_weights",
    "blend",
    "point_kinds",
    "sample_point",
    "sweep_path",
]

#: Corner of each target wave, (e0, e1).
CORNERS = {"sine": (0.0, 0.0), "ramp": (0.0, 1.0), "square": (1.0, 1.0), "zigzag": (1.0, 0.0)}

#: The four edges, each named by its two corner waves.
EDGES = (("sine", "ramp"), ("ramp", "square"), ("square", "zigzag"), ("zigzag", "sine"))


def blend_weights(e0, e1) -> dict:
    """The four constant-power weights at (e0, e1): scalars, or arrays (a point per sample)."""
    if not (np.all((0.0 <= np.asarray(e0)) & (np.asarray(e0) <= 1.0))
            and np.all((0.0 <= np.asarray(e1)) & (np.asarray(e1) <= 1.0))):
        raise ValueError(f"embedding point ({e0}, {e1}) is outside [0, 1]^2")
    # sin(pi/2 * (1 - e)) instead of cos(pi/2 * e) so the weights are exactly 0 and 1 at the corners.
    a_cos, a_sin = np.sin(np.pi / 2 * (1 - e0)), np.sin(np.pi / 2 * e0)
    b_cos, b_sin = np.sin(np.pi / 2 * (1 - e1)), np.sin(np.pi / 2 * e1)
    return {"sine": a_cos * b_cos, "ramp": a_cos * b_sin, "square": a_sin * b_sin, "zigzag": a_sin * b_cos}


def blend(waves: dict[str, np.ndarray], e0: float, e1: float) -> np.ndarray:
    """The target at (e0, e1): the weighted sum of the corner waves. Every wave with a non-zero weight
    must be present in ``waves`` (a recorded segment may lack some)."""
    total = None
    for name, weight in blend_weights(e0, e1).items():
        if np.all(weight == 0.0):
            continue
        if name not in waves:
            raise KeyError(f"point ({e0}, {e1}) needs the {name} wave, which this segment does not have")
        total = weight * waves[name] if total is None else total + weight * waves[name]
    return total


def point_kinds(available: set[str] | frozenset[str]) -> list[str]:
    """The kinds of point a segment holding the ``available`` target waves can produce, in the order
    windows cycle through them: every available corner, then edges whose two corners are available,
    then the interior (four times: it is two-dimensional) if all four waves are there, then the corners
    again. With all four waves: half the windows are corners (the waves themselves, and (0, 0) is one),
    a quarter edges, a quarter interior."""
    kinds = [w for w in CORNERS if w in available]
    edges = [f"edge:{a}-{b}" for a, b in EDGES if a in available and b in available]
    interior = ["interior"] * 4 if set(CORNERS) <= set(available) else []
    return kinds + edges + interior + kinds


def sample_point(kind: str, rng: np.random.Generator, quantum: float) -> tuple[float, float]:
    """A point of ``kind`` (a corner wave name, ``edge:<a>-<b>`` or ``interior``) on the ``quantum``
    grid (the input format's step, so the network sees exactly the point the target was built for).
    Edge and interior points stay at least one step away from the corners/edges."""
    if kind in CORNERS:
        return CORNERS[kind]
    steps = int(round(1 / quantum))
    if kind == "interior":
        return tuple(float(v) * quantum for v in rng.integers(1, steps, size=2))
    if kind.startswith("edge:"):
        a, b = kind[5:].split("-")
        (a0, a1), (b0, b1) = CORNERS[a], CORNERS[b]
        t = float(rng.integers(1, steps)) * quantum
        return (a0 + (b0 - a0) * t, a1 + (b1 - a1) * t)
    raise ValueError(f"unknown point kind {kind!r}")


def sweep_path(n: int) -> np.ndarray:
    """``n`` points (n, 2) walking the whole square at constant speed: the perimeter through all four
    corners starting at (0, 0), then a serpentine through the interior rows e1 = 1/4, 1/2, 3/4, and back
    to the centre. Used for listening tests and the simulator's sweep."""
    waypoints = np.array([
        (0, 0), (0, 1), (1, 1), (1, 0), (0, 0),
        (0, 0.25), (1, 0.25), (1, 0.5), (0, 0.5), (0, 0.75), (1, 0.75), (0.5, 0.5),
    ], dtype=np.float64)
    lengths = np.linalg.norm(np.diff(waypoints, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(lengths)])
    s = np.linspace(0.0, along[-1], n)
    return np.stack([np.interp(s, along, waypoints[:, 0]), np.interp(s, along, waypoints[:, 1])], axis=1)
