"""The proof on the target's instruction set: the generated C cross-compiled for a Cortex-M7 and run under
QEMU's ``mps2-an500`` machine, where every output is compared with the golden model and the instructions
per sample are counted (docs/mcu.md).

``check_on_target(network, jacks, work)`` writes the C and ``vectors.h`` (the jack codes and the golden
model's outputs as arrays), builds ``mcu/c/target_check.c`` with ``mcu/c/mps2_startup.c`` and
``mcu/c/mps2_an500.ld`` using Debian's arm-none-eabi GCC and newlib (semihosting through librdimon), runs it
under ``qemu-system-arm`` in icount mode and reads back what the program printed. The instruction count is
exact: with ``-icount shift=10`` every instruction advances the virtual clock by 2**10 ns, and the APB timer
0 counts 25 MHz ticks (40 ns) of that clock, so instructions = ticks * 40 / 2**10.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quantize.golden import run_waveshaper
from quantize.weights import QuantizedNetwork

from .generate import write_c
from .host import Comparison
from .tools import C_DIR, McuError, run_tool

__all__ = ["ARM_FLAGS", "INSTALL_HINT", "QEMU_MACHINE", "TargetResult", "build_target", "check_on_target",
           "check_target_tools", "compile_for_target", "instructions", "link_for_target", "qemu_command",
           "run_qemu", "section_sizes", "target_tools_available"]

CC, SIZE, QEMU = "arm-none-eabi-gcc", "arm-none-eabi-size", "qemu-system-arm"
#: The Daisy's core (STM32H750: Cortex-M7 with the double-precision FPU), as libDaisy builds it.
ARM_FLAGS = ["-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard", "-O2"]
STRICT = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror"]
QEMU_MACHINE = "mps2-an500"
#: icount: each instruction advances QEMU's virtual clock by 2**ICOUNT_SHIFT ns.
ICOUNT_SHIFT = 10
#: The MPS2's APB timers count the 25 MHz peripheral clock.
TIMER_HZ = 25_000_000
#: N vs 2N samples: their instructions per sample may differ by the data-dependent branches only.
CONSISTENCY = 0.02
INSTALL_HINT = ("apt-get install --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi "
                "qemu-system-arm")


@dataclass
class TargetResult:
    comparison: Comparison
    #: Instructions per sample of ws_process_block over the whole signal and over its first half.
    instructions_per_sample: float
    instructions_per_sample_half: float
    #: Calibration: instructions counted for 2N - N iterations of a two-instruction loop, and 2N.
    calibration_counted: float
    calibration_expected: int
    #: Sizes of the generated code's object file: text (code and the constant weights), data, bss.
    sizes: dict[str, int]
    stack_bytes: int

    def to_dict(self) -> dict:
        sizes = self.sizes
        return {**self.comparison.to_dict(),
                "instructions_per_sample": round(self.instructions_per_sample, 1),
                "instructions_per_sample_first_half": round(self.instructions_per_sample_half, 1),
                "calibration": {"loop_instructions_expected": self.calibration_expected,
                                "loop_instructions_counted": round(self.calibration_counted, 2)},
                "text_bytes": sizes["text"], "data_bytes": sizes["data"], "bss_bytes": sizes["bss"],
                "ram_bytes": sizes["data"] + sizes["bss"], "stack_bytes": self.stack_bytes}


def instructions(ticks: int) -> float:
    """Timer-0 ticks -> instructions under ``-icount shift=ICOUNT_SHIFT``."""
    return ticks * (1e9 / TIMER_HZ) / (1 << ICOUNT_SHIFT)


def check_target_tools() -> None:
    """Raise :class:`McuError` naming what is missing: the cross compiler, newlib's semihosting library
    for the M7's hard-float multilib, or QEMU."""
    missing = [tool for tool in (CC, SIZE, QEMU) if shutil.which(tool) is None]
    if missing:
        raise McuError(f"{', '.join(missing)} not installed; on Debian: {INSTALL_HINT}")
    done = subprocess.run([CC, *ARM_FLAGS[:-1], "-print-file-name=librdimon.a"], capture_output=True, text=True)
    if done.returncode != 0 or not Path(done.stdout.strip()).is_absolute():
        raise McuError(f"newlib's librdimon.a for {' '.join(ARM_FLAGS[:-1])} is not installed; on Debian: "
                       f"{INSTALL_HINT}")


def target_tools_available() -> tuple[bool, str]:
    try:
        check_target_tools()
    except McuError as exc:
        return False, str(exc)
    return True, ""


def write_vectors(path: Path, jacks: np.ndarray, expected: np.ndarray) -> None:
    """``vectors.h``: the jack codes (samples x jacks) and the golden outputs (samples x outputs)."""
    def array(name: str, values: np.ndarray) -> str:
        flat = [str(int(v)) for v in np.asarray(values).ravel()]
        rows = [", ".join(flat[i:i + 16]) for i in range(0, len(flat), 16)]
        return f"static const ws_code_t {name}[{len(flat)}] = {{\n" + ",\n".join(rows) + "\n};\n"

    path.write_text("/* generated by mcu/target.py: the stimulus and the golden model's outputs */\n"
                    '#include "waveshaper.h"\n'
                    f"#define WS_TEST_SAMPLES {len(jacks)}u\n"
                    + array("ws_test_jacks", jacks) + array("ws_test_expected", expected))


def section_sizes(obj: Path) -> dict[str, int]:
    """text, data and bss of an object file (Berkeley format: text includes the read-only data)."""
    out = run_tool([SIZE, "-B", str(obj)], "arm-none-eabi-size").stdout.splitlines()
    text, data, bss = (int(v) for v in out[1].split()[:3])
    return {"text": text, "data": data, "bss": bss}


def _stack_bytes(su_file: Path) -> int:
    """The deepest frame among the generated functions (GCC's -fstack-usage; they call only each other,
    at most three deep: ws_process_block -> ws_step -> a layer), summed over the public entry's chain."""
    frames = {}
    for line in su_file.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            frames[parts[0].split(":")[-1]] = int(parts[1])
    layers = max((v for k, v in frames.items() if k.startswith("ws_layer") or k == "ws_front_end"), default=0)
    return frames.get("ws_process_block", 0) + frames.get("ws_step", 0) + layers


def compile_for_target(source: Path, obj: Path, *, strict: bool, include: Path | None = None) -> Path:
    """One C file for the M7: the generated code as strict C99, the harness and start-up as GNU C (inline
    assembly, attributes)."""
    flags = [*ARM_FLAGS, *([f"-I{include}"] if include else [])]
    flags += [*STRICT, "-fstack-usage"] if strict else ["-std=gnu99", "-Wall", "-Wextra", "-Werror"]
    run_tool([CC, *flags, "-c", str(source), "-o", str(obj)], f"cross-compiling {source.name}")
    return obj


def link_for_target(objects: list[Path], elf: Path) -> Path:
    """Link with the start-up code and the mps2-an500 memory layout, newlib and its semihosting (librdimon)."""
    startup = compile_for_target(C_DIR / "mps2_startup.c", elf.with_name("mps2_startup.o"), strict=False)
    run_tool([CC, *ARM_FLAGS, "-nostartfiles", "--specs=rdimon.specs", "-T", str(C_DIR / "mps2_an500.ld"),
              *map(str, [*objects, startup]), "-o", str(elf)], "linking for the M7")
    return elf


def build_target(work: Path) -> tuple[Path, dict[str, int], int]:
    """Compile and link ``work``'s waveshaper.c and vectors.h with the harness; returns the ELF, the
    generated code's section sizes and its stack need."""
    network = compile_for_target(work / "waveshaper.c", work / "waveshaper.o", strict=True, include=work)
    harness = compile_for_target(C_DIR / "target_check.c", work / "target_check.o", strict=False, include=work)
    elf = link_for_target([network, harness], work / "target_check.elf")
    return elf, section_sizes(network), _stack_bytes(work / "waveshaper.su")


def qemu_command(elf: Path) -> list[str]:
    return [QEMU, "-M", QEMU_MACHINE, "-nographic", "-monitor", "none", "-serial", "none",
            "-semihosting-config", "enable=on,target=native",
            "-icount", f"shift={ICOUNT_SHIFT},align=off,sleep=off", "-kernel", str(elf)]


def run_qemu(elf: Path, timeout: float = 300) -> tuple[int, dict[str, int], str]:
    """Run the ELF; returns QEMU's exit status, the key=value integers the program printed, and its output."""
    try:
        done = subprocess.run(qemu_command(elf), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise McuError(f"QEMU did not finish within {timeout:g} s: {' '.join(qemu_command(elf))}") from exc
    values = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)=(-?\d+)$", done.stdout, re.MULTILINE)}
    return done.returncode, values, done.stdout + done.stderr


def check_on_target(network: QuantizedNetwork, jacks: np.ndarray, work: str | Path, *,
                    timeout: float = 300) -> TargetResult:
    """Build, run under QEMU and compare (see the module docstring)."""
    check_target_tools()
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    jacks = np.asarray(jacks, dtype=np.int64)
    if len(jacks) < 2:
        raise McuError("the target check needs at least 2 samples")
    write_c(network, work)
    expected = run_waveshaper(network, jacks).output
    write_vectors(work / "vectors.h", jacks, expected)
    elf, sizes, stack = build_target(work)
    status, values, output = run_qemu(elf, timeout)
    needed = ("samples", "ticks_half", "ticks_full", "mismatches", "first_mismatch", "calibration_iterations",
              "calibration_ticks_n", "calibration_ticks_2n")
    if any(key not in values for key in needed):
        raise McuError(f"the QEMU run (exit {status}) did not report its results:\n{output}")
    mismatches = values["mismatches"]
    if status != (0 if mismatches == 0 else 1):
        raise McuError(f"the QEMU run ended with exit status {status} for {mismatches} mismatches:\n{output}")
    first = None
    if values["first_mismatch"] >= 0:
        t, c = divmod(values["first_mismatch"], network.config.n_outputs)
        first = f"sample {t}, output {c}: golden {int(expected[t, c])}"
    n = values["samples"]
    half, full = instructions(values["ticks_half"]) / (n // 2), instructions(values["ticks_full"]) / n
    if abs(full - half) > CONSISTENCY * full:
        raise McuError(f"the instruction counts of the first half ({half:.1f} per sample) and of the whole signal "
                       f"({full:.1f}) disagree: the 32-bit timer wrapped (fewer samples, please) or the count is "
                       "not deterministic")
    return TargetResult(
        comparison=Comparison(n, mismatches, first),
        instructions_per_sample=full,
        instructions_per_sample_half=half,
        calibration_counted=instructions(values["calibration_ticks_2n"] - values["calibration_ticks_n"]),
        calibration_expected=2 * values["calibration_iterations"],
        sizes=sizes, stack_bytes=stack)
