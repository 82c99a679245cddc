"""Command-line argument types shared by the stages' ``python -m`` entry points.

argparse calls a ``type`` while parsing, so a bad value is refused with the option's name before a
command loads anything or starts any work.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

__all__ = ["positive_int", "positive_seconds"]


def positive_int(option: str, example: int) -> Callable[[str], int]:
    """An argparse ``type`` for ``option``: a whole number >= 1, written in decimal digits (``1e8`` and
    ``2.5`` are refused rather than rounded). ``example`` is shown in the error."""

    def parse(text: str) -> int:
        value = int(text) if text.strip().isdigit() else 0
        if value < 1:
            raise argparse.ArgumentTypeError(
                f"must be a positive integer (e.g. {option}={example}), got {text!r}")
        return value

    parse.__name__ = "positive integer"  # what argparse calls the type in its own messages
    return parse


def positive_seconds(option: str, example: float, maximum: float) -> Callable[[str], float]:
    """An argparse ``type`` for ``option``: a finite duration above 0 and at most ``maximum`` seconds (``inf``,
    ``nan`` and negative values are refused: the renderings allocate ``seconds x sample rate`` samples).
    ``example`` is shown in the error."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= maximum):
            raise argparse.ArgumentTypeError(
                f"must be a number of seconds above 0 and at most {maximum:g} (e.g. {option}={example:g}), "
                f"got {text!r}")
        return value

    parse.__name__ = "duration in seconds"
    return parse
