"""Fixtures shared by the train/ tests."""

from __future__ import annotations

import pytest

from common.config import load_config
from train.tests.helpers import DEFAULT_CONFIG


@pytest.fixture(scope="session")
def config():
    return load_config(DEFAULT_CONFIG)
