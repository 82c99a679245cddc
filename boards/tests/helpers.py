"""Shared pieces of the boards/ tests."""

from __future__ import annotations

import gc
import warnings
from contextlib import contextmanager

from amaranth.hdl import UnusedElaboratable


@contextmanager
def unelaborated():
    """For tests that build components only to read their parameters: collect them quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnusedElaboratable)
        yield
        gc.collect()
