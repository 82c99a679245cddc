"""Running the C tools (host compiler, cross compiler, QEMU) with errors that say what failed."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

__all__ = ["C_DIR", "McuError", "run_tool", "tool_version", "weights_digest"]

#: The C sources that are part of this stage (harnesses, start-up code, linker script).
C_DIR = Path(__file__).resolve().parent / "c"


class McuError(RuntimeError):
    """A tool is missing, a build failed or a run failed; the message says which and what to do."""


def run_tool(command: list[str], what: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``command``; raise :class:`McuError` with its output when it fails or runs past ``timeout``."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise McuError(f"{what} did not finish within {timeout:g} s: {' '.join(command)}") from exc
    except OSError as exc:
        raise McuError(f"{what} could not start: {' '.join(command)}: {exc}") from exc
    if done.returncode != 0:
        raise McuError(f"{what} failed (exit {done.returncode}): {' '.join(command)}\n{done.stdout}{done.stderr}")
    return done


def tool_version(tool: str) -> str:
    """The first line of ``tool --version``."""
    lines = run_tool([tool, "--version"], f"{tool} --version", timeout=60).stdout.splitlines()
    return lines[0].strip() if lines else tool


def weights_digest(path: Path) -> str:
    """SHA-256 over weights.npz and config.json: which network a report or a firmware belongs to."""
    digest = hashlib.sha256()
    for name in ("weights.npz", "config.json"):
        digest.update((Path(path) / name).read_bytes())
    return digest.hexdigest()
