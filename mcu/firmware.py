"""The Daisy Patch firmware: the generated C inside a libDaisy program (``mcu/firmware/``), built against the
user's libDaisy checkout (``make mcu-firmware LIBDAISY_DIR=...``) and uploaded with dfu-util
(``make mcu-flash``).

Every check runs before the build: the libDaisy checkout (its ``core/Makefile`` and its built library), the
cross compiler, the sample rate (the Daisy's codec runs at 48 or 96 kHz; the model must have been trained
for the one it runs at) and the instruction budget (the instructions per sample ``make mcu`` measured for
these very weights within half of the 480 MHz M7's cycles at that rate, docs/mcu.md). The firmware is
verified on paper only: no Daisy was attached where it was written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from quantize.weights import QuantizedNetwork

from .budget import M7_CLOCK_HZ, RATES, TARGET_SHARE
from .generate import write_c
from .tools import weights_digest

__all__ = ["BINARY", "DFU_COMMAND", "FirmwareError", "LIBDAISY_VERSION", "build_firmware", "check_libdaisy",
           "check_rate", "firmware_binary", "flash_firmware"]

#: The libDaisy release the program is written for.
LIBDAISY_VERSION = "v8.1.0"
SOURCES = Path(__file__).resolve().parent / "firmware"
TARGET = "waveshaper_patch"
BINARY = f"build/{TARGET}.bin"
#: The STM32H750's own DFU bootloader (USB 0483:df11), writing the internal flash at 0x08000000 and
#: starting the program when done (libDaisy's program-dfu target does the same).
DFU_COMMAND = ["dfu-util", "-a", "0", "-s", "0x08000000:leave", "-d", ",0483:df11", "-D"]
CXX_HINT = ("apt-get install --no-install-recommends gcc-arm-none-eabi libnewlib-arm-none-eabi "
            "libstdc++-arm-none-eabi-newlib")
CLONE_HINT = (f"git clone --recurse-submodules --branch {LIBDAISY_VERSION} "
              "https://github.com/electro-smith/libDaisy && make -C libDaisy")


class FirmwareError(RuntimeError):
    """Something the firmware build or upload needs is missing or does not fit; the message says what."""


def check_libdaisy(libdaisy_dir: Path | None) -> Path:
    """The checkout's absolute path, once it is known to hold libDaisy's build system and built library."""
    if libdaisy_dir is None or not str(libdaisy_dir).strip():
        raise FirmwareError(f"LIBDAISY_DIR is not set: get libDaisy {LIBDAISY_VERSION} ({CLONE_HINT}) and run "
                            "`make mcu-firmware LIBDAISY_DIR=/path/to/libDaisy`")
    path = Path(libdaisy_dir).expanduser().resolve()
    if not path.is_dir():
        raise FirmwareError(f"LIBDAISY_DIR={libdaisy_dir} is not a directory ({CLONE_HINT})")
    if not (path / "core" / "Makefile").is_file() or not (path / "src" / "daisy_patch.h").is_file():
        raise FirmwareError(f"LIBDAISY_DIR={libdaisy_dir} is not a libDaisy checkout (no core/Makefile or "
                            f"src/daisy_patch.h); {CLONE_HINT}")
    if not (path / "build" / "libdaisy.a").is_file():
        raise FirmwareError(f"libDaisy in {path} is not built yet (no build/libdaisy.a): run `make -C {path}`")
    return path


def check_rate(sample_rate_hz: int) -> None:
    """The model must run at the rate it was trained for, and the Daisy's codec offers 48 and 96 kHz."""
    if sample_rate_hz not in RATES:
        raise FirmwareError(
            f"the model was trained for {sample_rate_hz} Hz, but the Daisy's codec runs at "
            f"{' or '.join(f'{r // 1000} kHz' for r in RATES)}: train a model for one of them "
            "(configs/daisy.toml is the default network at 96 kHz: make train CONFIG=configs/daisy.toml)")


def _check_budget(out: Path, digest: str, sample_rate_hz: int) -> float:
    report_path = out / "report.json"
    try:
        report = json.loads(report_path.read_text())
        measured = report["network"]["weights_sha256"]
        instructions = float(report["cortex_m7"]["instructions_per_sample"])
    except (OSError, ValueError, KeyError, TypeError):
        raise FirmwareError(f"{report_path} is missing or unreadable: run `make mcu` first (it measures the "
                            "instructions per sample the firmware is checked against)") from None
    if measured != digest:
        raise FirmwareError(f"{report_path} belongs to other weights: run `make mcu` again for these")
    cycles = M7_CLOCK_HZ // sample_rate_hz
    if instructions > TARGET_SHARE * cycles:
        raise FirmwareError(
            f"the network needs {instructions:.0f} instructions per sample, more than {TARGET_SHARE:.0%} of the "
            f"{cycles} cycles a 480 MHz M7 has per sample at {sample_rate_hz} Hz: train a smaller network or "
            "one for 48 kHz")
    return instructions


def firmware_binary(out: Path) -> Path:
    return Path(out) / "firmware" / BINARY


def build_firmware(network: QuantizedNetwork, weights_dir: Path, libdaisy_dir: Path | None, out: Path) -> Path:
    """Check everything (module docstring), then build ``<out>/firmware/build/waveshaper_patch.bin``."""
    libdaisy = check_libdaisy(libdaisy_dir)
    config = network.config
    check_rate(config.sample_rate_hz)
    _check_budget(Path(out), weights_digest(Path(weights_dir)), config.sample_rate_hz)
    missing = [tool for tool in ("arm-none-eabi-gcc", "arm-none-eabi-g++", "arm-none-eabi-objcopy", "make")
               if shutil.which(tool) is None]
    if missing:
        raise FirmwareError(f"{', '.join(missing)} not installed; on Debian: {CXX_HINT}")
    work = Path(out) / "firmware"
    work.mkdir(parents=True, exist_ok=True)
    write_c(network, work)
    for name in ("Makefile", f"{TARGET}.cpp"):
        shutil.copyfile(SOURCES / name, work / name)
    done = subprocess.run(["make", "-C", str(work), f"LIBDAISY_DIR={libdaisy}"], text=True)
    if done.returncode != 0:
        raise FirmwareError(f"the firmware build failed (make -C {work} LIBDAISY_DIR={libdaisy}); see above")
    return firmware_binary(out)


def flash_firmware(out: Path) -> None:
    """Upload the built firmware with dfu-util."""
    binary = firmware_binary(out)
    if not binary.is_file():
        raise FirmwareError(f"{binary} does not exist: run `make mcu-firmware LIBDAISY_DIR=...` first")
    if shutil.which("dfu-util") is None:
        raise FirmwareError("dfu-util is not installed; on Debian: apt-get install dfu-util")
    print("Put the Daisy into its DFU bootloader first: hold BOOT, press and release RESET, release BOOT.")
    done = subprocess.run([*DFU_COMMAND, str(binary)], text=True)
    if done.returncode != 0:
        raise FirmwareError(f"dfu-util failed (exit {done.returncode}); is the Daisy in its DFU bootloader?")
