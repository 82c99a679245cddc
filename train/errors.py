"""Errors of the training stage."""

from __future__ import annotations

__all__ = ["DatasetError"]


class DatasetError(ValueError):
    """Training data that cannot be used (bad manifest, WAV or split); the message names the file and
    channel and says what to fix. Raised before any training starts."""
