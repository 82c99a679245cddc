"""The proof on the target's instruction set: the generated C cross-compiled for the Cortex-M7 and run under
QEMU's mps2-an500 equals the golden model; the start-up code does what the program relies on; the
instruction count is exact (a loop counted by hand from its disassembly) and consistent (N vs 2N)."""

from __future__ import annotations

import re
import subprocess
from unittest import mock

import pytest

import mcu.plan as plan
from common.config import rounding_constant
from mcu.plan import plan_network
from mcu.stimulus import check_signal
from mcu.target import check_on_target, compile_for_target, link_for_target, run_qemu
from quantize.weights import QuantizedNetwork

from .conftest import require_target
from .networks import random_networks

pytestmark = pytest.mark.slow


def test_trained_default_model_on_the_m7(trained_weights, tmp_path):
    require_target()
    net = QuantizedNetwork.load(trained_weights)
    result = check_on_target(net, check_signal(net.config, 2000), tmp_path)
    assert (result.comparison.samples_checked, result.comparison.mismatches) == (2000, 0), result.comparison.first
    # the calibration loop: 2N - N iterations of two instructions, counted exactly
    assert round(result.calibration_counted) == result.calibration_expected
    # N vs 2N samples: the same instructions per sample, up to the data-dependent branches
    per_sample = result.instructions_per_sample
    assert abs(per_sample - result.instructions_per_sample_half) < 0.01 * per_sample
    # the default network within half the M7's cycles at 96 kHz (480 MHz / 96 kHz / 2)
    assert per_sample <= 2500
    assert result.sizes["data"] == 0 and 0 < result.sizes["bss"] < 8192 and result.sizes["text"] < 16384


def test_random_networks_on_the_m7(tmp_path):
    """Every arithmetic form on the real instructions: 16-bit pairs (SMLAD, SMLALD) and one code per word,
    32- and 64-bit accumulators, the three rounding modes, 12- and 18-bit formats, every input role."""
    require_target()
    networks = random_networks(6, seed=20261207)
    forms = {(p.pairs, lp.accumulator_bits) for p in map(plan_network, networks) for lp in p.layers}
    assert forms == {(True, 32), (True, 64), (False, 32), (False, 64)}
    for net in networks:
        result = check_on_target(net, check_signal(net.config, 600, seed=5), tmp_path / net.config.name)
        assert result.comparison.mismatches == 0, f"{net.config.name}: {result.comparison.first}"


def test_a_mismatch_fails_the_qemu_run(tmp_path):
    """A wrong rounding constant on the target: mismatches reported and the run's exit status 1
    (check_on_target raises if the status does not match the mismatches)."""
    require_target()
    net = random_networks(1, seed=20261207)[0]
    with mock.patch.object(plan, "rounding_constant", lambda config: rounding_constant(config) + 1):
        result = check_on_target(net, check_signal(net.config, 400), tmp_path)
    assert result.comparison.mismatches > 0


def test_the_calibration_loop_is_two_instructions(tmp_path):
    """The hand count behind the calibration: ws_count_loop's loop is `subs` and `bne`, nothing else."""
    require_target()
    net = random_networks(1, seed=20261207)[0]
    check_on_target(net, check_signal(net.config, 20), tmp_path)
    text = subprocess.run(["arm-none-eabi-objdump", "-d", str(tmp_path / "target_check.elf")], capture_output=True,
                          text=True, check=True).stdout
    body = text.split("<ws_count_loop>:")[1].split("\n\n")[0]
    mnemonics = [line.split("\t")[2].split()[0] for line in body.strip().splitlines() if line.count("\t") >= 2]
    loop = mnemonics[mnemonics.index("subs"):]
    assert loop[:2] == ["subs", "bne.n"] and re.search(r"bne\.n\s+\w+ <ws_count_loop>", body)


def _program(tmp_path, source: str) -> tuple[int, str]:
    path = tmp_path / "program.c"
    path.write_text(source)
    obj = compile_for_target(path, tmp_path / "program.o", strict=False)
    status, _, output = run_qemu(link_for_target([obj], tmp_path / "program.elf"), timeout=60)
    return status, output


def test_the_start_up_code(tmp_path):
    """FPU on before main (a double-precision product would fault otherwise), .data copied, .bss zeroed,
    semihosting output, and main's status handed to QEMU."""
    require_target()
    status, output = _program(tmp_path, """
        #include <stdio.h>
        int initialised = 1234;
        int zeroed;
        volatile double a = 1.5, b = -2.25;
        int main(void)
        {
            double p = a * b;
            printf("product=%d\\n", (int)(p * 1000.0));
            return initialised == 1234 && zeroed == 0 && p == -3.375 ? 3 : 4;
        }
    """)
    assert status == 3, output
    assert "product=-3375" in output


def test_a_fault_ends_the_run_with_status_1(tmp_path):
    require_target()
    status, output = _program(tmp_path, "int main(void) { __asm volatile(\"udf #0\"); return 0; }\n")
    assert status == 1, output
