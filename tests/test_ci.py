"""CI cannot go green without the headline evidence: with CI=true a missing simulator fails the check
(without CI it skips with the install hint), and .ci/install-icarus installs Icarus from Debian's packages
when it is missing and we are root. The install script runs against stub commands here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import sim.simulators
from sim.tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_icarus(monkeypatch):
    real = sim.simulators.shutil.which
    monkeypatch.setattr(sim.simulators.shutil, "which",
                        lambda name: None if name in ("iverilog", "vvp") else real(name))


def outcome(simulator: str) -> BaseException | None:
    """What ``require`` raised (a skip or a failure are both exceptions to pytest), caught here so a skip
    cannot turn this test itself into a skip."""
    try:
        require(simulator)
    except BaseException as exc:  # noqa: BLE001 (pytest's Skipped/Failed derive from BaseException)
        return exc
    return None


def test_missing_simulator_fails_under_ci(no_icarus, monkeypatch):
    monkeypatch.setenv("CI", "true")
    raised = outcome("icarus")
    assert isinstance(raised, pytest.fail.Exception), repr(raised)
    assert "icarus unavailable with CI=true" in str(raised) and "apt-get install iverilog" in str(raised)


def test_missing_simulator_skips_with_the_hint_elsewhere(no_icarus, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    raised = outcome("icarus")
    assert isinstance(raised, pytest.skip.Exception), repr(raised)
    assert "apt-get install iverilog" in str(raised)


def _stub(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def _install(tmp_path: Path, *, uid: str, icarus: bool) -> tuple[str, list[str]]:
    """Run .ci/install-icarus with stub ``id``, ``apt-get`` (records its arguments) and maybe ``iverilog``."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    calls = tmp_path / "apt-calls"
    _stub(stubs, "id", f'echo {uid}')
    _stub(stubs, "apt-get", f'echo "$@" >> {calls}')
    if icarus:
        _stub(stubs, "iverilog", "true")
        _stub(stubs, "vvp", "true")
    run = subprocess.run(["/bin/bash", str(ROOT / ".ci" / "install-icarus")], env={"PATH": str(stubs)},
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    return run.stdout, calls.read_text().splitlines() if calls.exists() else []


def test_install_icarus_as_root(tmp_path):
    out, calls = _install(tmp_path, uid="0", icarus=False)
    assert calls == ["update -qq", "install -y -qq iverilog"] and "installing Icarus" in out


def test_install_icarus_not_needed(tmp_path):
    assert _install(tmp_path, uid="0", icarus=True) == ("", [])


def test_install_icarus_without_root_gives_the_hint(tmp_path):
    out, calls = _install(tmp_path, uid="1000", icarus=False)
    assert calls == [] and "apt-get install iverilog" in out


def test_ci_run_installs_then_tests():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    steps = [line for line in script if line and not line.startswith(("#", "set ", "cd ", "start=", "echo"))]
    assert steps == ['export CI="${CI:-true}"', "bash .ci/install-icarus", "make test"]
    assert os.access(ROOT / ".ci" / "install-icarus", os.X_OK)
