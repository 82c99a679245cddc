"""CI cannot go green without the headline evidence: with CI=true a missing simulator or Cortex-M7 tool fails
the check (without CI it skips with the install hint), and .ci/install-system-packages installs what is
missing (Icarus; arm-none-eabi GCC, newlib and QEMU) from Debian's packages when we are root. The install
script runs against stub commands here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import mcu.target
import sim.simulators
from mcu.tests.conftest import require_target
from sim.tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_icarus(monkeypatch):
    real = sim.simulators.shutil.which
    monkeypatch.setattr(sim.simulators.shutil, "which",
                        lambda name: None if name in ("iverilog", "vvp") else real(name))


def outcome(check, *args) -> BaseException | None:
    """What ``check`` raised (a skip or a failure are both exceptions to pytest), caught here so a skip
    cannot turn this test itself into a skip."""
    try:
        check(*args)
    except BaseException as exc:  # noqa: BLE001 (pytest's Skipped/Failed derive from BaseException)
        return exc
    return None


def test_missing_simulator_fails_under_ci(no_icarus, monkeypatch):
    monkeypatch.setenv("CI", "true")
    raised = outcome(require, "icarus")
    assert isinstance(raised, pytest.fail.Exception), repr(raised)
    assert "icarus unavailable with CI=true" in str(raised) and "apt-get install iverilog" in str(raised)


def test_missing_simulator_skips_with_the_hint_elsewhere(no_icarus, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    raised = outcome(require, "icarus")
    assert isinstance(raised, pytest.skip.Exception), repr(raised)
    assert "apt-get install iverilog" in str(raised)


@pytest.fixture
def no_qemu(monkeypatch):
    real = mcu.target.shutil.which
    monkeypatch.setattr(mcu.target.shutil, "which", lambda name: None if name == "qemu-system-arm" else real(name))


M7_HINT = "apt-get install --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm"


def test_missing_m7_tools_fail_under_ci(no_qemu, monkeypatch):
    monkeypatch.setenv("CI", "true")
    raised = outcome(require_target)
    assert isinstance(raised, pytest.fail.Exception), repr(raised)
    assert "Cortex-M7 tools unavailable with CI=true" in str(raised) and M7_HINT in str(raised)


def test_missing_m7_tools_skip_with_the_hint_elsewhere(no_qemu, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    raised = outcome(require_target)
    assert isinstance(raised, pytest.skip.Exception), repr(raised)
    assert "qemu-system-arm not installed" in str(raised) and M7_HINT in str(raised)


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


ALL_TOOLS = ("iverilog", "vvp", "arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm")


def _install(tmp_path: Path, *, uid: str, tools: tuple[str, ...] = (), newlib: bool = True) -> tuple[str, list[str]]:
    """Run .ci/install-system-packages with stub ``id``, ``apt-get`` (records its arguments) and the
    ``tools`` present; the stub compiler finds newlib's librdimon.a only when ``newlib``."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "apt-calls"
    _stub(stubs, "id", f'echo {uid}')
    _stub(stubs, "apt-get", f'echo "$@" >> {calls}')
    for tool in tools:
        rdimon = "/usr/lib/arm-none-eabi/newlib/thumb/v7e-m+dp/hard/librdimon.a" if newlib else "librdimon.a"
        _stub(stubs, tool, f"echo {rdimon}" if tool == "arm-none-eabi-gcc" else "true")
    run = subprocess.run(["/bin/bash", str(ROOT / ".ci" / "install-system-packages")], env={"PATH": str(stubs)},
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return run.stdout, calls.read_text().splitlines() if calls.exists() else []


def test_install_everything_as_root(tmp_path):
    out, calls = _install(tmp_path, uid="0")
    assert calls == ["update -qq", "install -y -qq --no-install-recommends iverilog gcc-arm-none-eabi "
                                   "libnewlib-arm-none-eabi qemu-system-arm"]
    assert "installing Debian packages" in out


def test_install_only_what_is_missing(tmp_path):
    out, calls = _install(tmp_path, uid="0", tools=("iverilog", "vvp", "qemu-system-arm"))
    assert calls[1] == "install -y -qq --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi"


def test_install_newlib_when_the_compiler_lacks_it(tmp_path):
    out, calls = _install(tmp_path, uid="0", tools=ALL_TOOLS, newlib=False)
    assert calls[1] == "install -y -qq --no-install-recommends libnewlib-arm-none-eabi"


def test_install_not_needed(tmp_path):
    assert _install(tmp_path, uid="0", tools=ALL_TOOLS) == ("", [])


def test_install_without_root_gives_the_hint(tmp_path):
    out, calls = _install(tmp_path, uid="1000", tools=("iverilog", "vvp"))
    assert calls == [] and f"'{M7_HINT}'" in out


def test_ci_run_installs_then_tests():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    steps = [line for line in script if line and not line.startswith(("#", "set ", "cd ", "start=", "echo"))]
    assert steps == ['export CI="${CI:-true}"', "bash .ci/install-system-packages", "make test"]
    assert os.access(ROOT / ".ci" / "install-system-packages", os.X_OK)
