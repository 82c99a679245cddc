"""The proof on the host: the generated C compiled with the machine's C compiler, compared with the golden
model as integers.

``check_on_host(network, jacks, work)`` writes the C for ``network`` into ``work``, compiles it with
``mcu/c/host_check.c`` (``cc``, or ``$CC``: the compiler Verilator already needs) as strict C99 with every
warning an error and, where the compiler has it, the undefined-behaviour sanitizer (a signed overflow,
i.e. an accumulator the plan sized too small, then stops the run), runs it over ``jacks`` and compares every
output code with :func:`quantize.golden.run_waveshaper`. The run also replays the start of the signal
after ``ws_reset()``, which must give the same codes again.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quantize.golden import run_waveshaper
from quantize.weights import QuantizedNetwork

from .generate import write_c
from .tools import C_DIR, McuError, run_tool

__all__ = ["HOST_FLAGS", "SANITIZE_FLAGS", "Comparison", "build_host", "check_on_host", "compare_outputs",
           "host_compiler", "run_host", "sanitizer_available"]

HOST_FLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2"]
SANITIZE_FLAGS = ["-fsanitize=undefined", "-fno-sanitize-recover=all"]
#: Samples replayed after ws_reset().
REPLAY = 500


def host_compiler() -> str:
    """``$CC`` or ``cc``, checked to exist."""
    name = os.environ.get("CC", "cc")
    if shutil.which(name) is None:
        raise McuError(f"no C compiler: {name!r} is not on PATH (install gcc, or set CC)")
    return name


@functools.cache
def sanitizer_available(cc: str) -> bool:
    """Whether ``cc`` compiles and links a program with the undefined-behaviour sanitizer."""
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.c"
        probe.write_text("int main(void) { return 0; }\n")
        done = subprocess.run([cc, *SANITIZE_FLAGS, str(probe), "-o", str(Path(tmp) / "probe")],
                              capture_output=True, text=True, timeout=60)
        return done.returncode == 0


def build_host(source_dir: Path, out: Path, *, sanitize: bool = True) -> tuple[Path, bool]:
    """Compile ``source_dir/waveshaper.c`` with the host harness into ``out``; returns the binary and
    whether the sanitizer is in it (left out only when the compiler cannot link it)."""
    cc = host_compiler()
    sanitized = sanitize and sanitizer_available(cc)
    sources = [str(source_dir / "waveshaper.c"), str(C_DIR / "host_check.c")]
    run_tool([cc, *HOST_FLAGS, *(SANITIZE_FLAGS if sanitized else []), f"-I{source_dir}", *sources, "-o", str(out)],
         "compiling the C on the host")
    return out, sanitized


def run_host(binary: Path, jacks: np.ndarray, n_outputs: int, work: Path, replay: int) -> np.ndarray:
    """Run the host harness over ``jacks`` (samples, jack roles); returns (samples + replay, n_outputs)."""
    jacks = np.ascontiguousarray(jacks, dtype=np.int32)
    inputs, outputs = work / "jacks.bin", work / "outputs.bin"
    jacks.tofile(inputs)
    run_tool([str(binary), str(inputs), str(outputs), str(len(jacks)), str(replay)], "the host run")
    codes = np.fromfile(outputs, dtype=np.int32)
    expected = (len(jacks) + replay) * n_outputs
    if codes.size != expected:
        raise McuError(f"the host run wrote {codes.size} codes, {expected} expected")
    return codes.reshape(len(jacks) + replay, n_outputs).astype(np.int64)


@dataclass
class Comparison:
    samples_checked: int
    #: Output codes that differ from the golden model's.
    mismatches: int
    #: Where the first one is, or None.
    first: str | None = None
    #: Samples run once more after ``ws_reset()`` and compared too (their mismatches are counted above).
    replayed_after_reset: int = 0

    def to_dict(self) -> dict:
        return {"samples_checked": self.samples_checked, "mismatches": self.mismatches,
                "replayed_after_reset": self.replayed_after_reset, "first_mismatch": self.first}


def compare_outputs(expected: np.ndarray, actual: np.ndarray) -> Comparison:
    """Every output code, as integers."""
    expected, actual = np.asarray(expected, np.int64), np.asarray(actual, np.int64)
    if expected.shape != actual.shape:
        raise McuError(f"output shapes differ: golden {expected.shape}, C {actual.shape}")
    diff = np.argwhere(expected != actual)
    first = None
    if len(diff):
        t, c = (int(v) for v in diff[0])
        first = f"sample {t}, output {c}: golden {int(expected[t, c])}, C {int(actual[t, c])}"
    return Comparison(len(expected), len(diff), first)


def check_on_host(network: QuantizedNetwork, jacks: np.ndarray, work: str | Path, *,
                  sanitize: bool = True) -> tuple[Comparison, bool]:
    """Generate, compile and run the C over ``jacks`` (samples, jack roles); compare with the golden model.
    Returns the comparison (mismatches of the replay after ``ws_reset()`` included) and whether the
    sanitizer was on."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    write_c(network, work)
    binary, sanitized = build_host(work, work / "host_check", sanitize=sanitize)
    replay = min(REPLAY, len(jacks))
    actual = run_host(binary, jacks, network.config.n_outputs, work, replay)
    golden = run_waveshaper(network, np.asarray(jacks, dtype=np.int64)).output
    result = compare_outputs(golden, actual[:len(jacks)])
    again = compare_outputs(golden[:replay], actual[len(jacks):])
    result.mismatches += again.mismatches
    result.first = result.first or (again.first and f"after ws_reset(): {again.first}")
    result.replayed_after_reset = replay
    return result, sanitized
