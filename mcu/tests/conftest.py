"""What the MCU checks need from the machine: a host C compiler, and for the target proof Debian's
arm-none-eabi GCC with newlib and QEMU. A missing tool skips with the install hint in a user's `make test`
and fails under CI=true (.ci/run), where the tools are installed, so CI cannot go green without the proof."""

from __future__ import annotations

import os

import pytest

from mcu.host import host_compiler
from mcu.target import target_tools_available
from mcu.tools import McuError


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _missing(what: str, reason: str) -> None:
    if in_ci():
        pytest.fail(f"{what} unavailable with CI=true: {reason}")
    pytest.skip(f"{what} unavailable: {reason}")


def require_host_compiler() -> None:
    try:
        host_compiler()
    except McuError as exc:
        _missing("host C compiler", str(exc))


def require_target() -> None:
    ok, reason = target_tools_available()
    if not ok:
        _missing("Cortex-M7 tools", reason)
