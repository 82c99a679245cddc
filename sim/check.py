"""Prove a generated network bit-exact against the golden model, and measure its timing.

:func:`check_network` is what both ``python -m sim`` and the tests use:

1. a *streaming* run keeps a few samples in flight (the way the board runs: back to back at the
   initiation interval), compares every output sample with :func:`quantize.golden.run_waveshaper` and
   measures the cycles between input handshakes, which must equal ``plan.signal_path_cycles``;
2. on a mismatch (or when asked), a *serial* run of a debug build (``layer{i}`` observation ports, one
   sample in flight) over the samples up to the first failure names the first diverging layer and
   channel, and measures the latency, which must equal ``plan.signal_path_latency`` (front end and layers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from quantize.golden import run_waveshaper
from quantize.weights import QuantizedNetwork

from .compare import Comparison, compare
from .runner import SimRun, Simulation

__all__ = ["CheckResult", "check_design", "check_network", "lead_for"]


def lead_for(plan, fifo_depth: int = 16) -> int:
    """Samples to keep in flight so the network never waits for Python: its latency in samples plus
    slack for the per-layer output registers."""
    in_flight = -(-plan.signal_path_latency // max(1, plan.signal_path_cycles))
    return int(min(fifo_depth, in_flight + 2 + len(plan.layers)))


@dataclass
class CheckResult:
    simulator: str
    comparison: Comparison
    stream: SimRun
    #: The serial debug run, when one was made.
    serial: SimRun | None
    plan_cycles_per_sample: int
    plan_latency_cycles: int
    build_seconds: float
    notes: list[str] = field(default_factory=list)

    @property
    def cycles_per_sample(self) -> int | None:
        return self.stream.cycles_per_sample()

    @property
    def latency_cycles(self) -> int | None:
        return self.serial.latency_cycles() if self.serial is not None else None

    @property
    def timing_ok(self) -> bool:
        ok = self.cycles_per_sample == self.plan_cycles_per_sample
        if self.serial is not None and self.serial.samples:
            ok = ok and self.latency_cycles == self.plan_latency_cycles
        return ok

    @property
    def ok(self) -> bool:
        return self.comparison.ok and self.timing_ok and not self.stream.overrun

    def describe(self) -> str:
        lines = [f"{self.simulator}: {self.comparison.describe()}",
                 f"cycles per sample: measured {self.cycles_per_sample}, plan {self.plan_cycles_per_sample}"]
        if self.cycles_per_sample is None:
            values, counts = np.unique(self.stream.steady_intervals(), return_counts=True)
            lines.append("input-to-input intervals (cycles: count): "
                         + ", ".join(f"{v}: {c}" for v, c in zip(values.tolist(), counts.tolist(), strict=True)))
            lines.append(f"first intervals: {self.stream.interval[:24].tolist()}")
        if self.serial is not None:
            lines.append(f"latency: measured {self.latency_cycles}, plan {self.plan_latency_cycles} cycles")
        if self.stream.overrun:
            lines.append("harness overrun: input FIFO overflow or outputs closer than 2 cycles")
        lines.extend(self.notes)
        return "\n".join(lines)


def _debug_verilog(net: QuantizedNetwork, plan, path: Path) -> Path:
    from rtl.generate import generate_verilog

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate_verilog(net, plan, debug=True))
    return path


def check_design(sim: Simulation, net: QuantizedNetwork, plan, codes: np.ndarray, *, design: int = 0,
                 serial: bool = False, serial_samples: int | None = None, progress: bool = False,
                 golden=None, diagnose: bool = True) -> CheckResult:
    """Stream and (``serial``, or ``diagnose`` on a mismatch) serially run ``codes`` through design ``design``
    of an existing build."""
    codes = np.asarray(codes, dtype=np.int64)
    golden = golden if golden is not None else run_waveshaper(net, codes)
    stream = sim.run(codes, lead=lead_for(plan, sim.fifo_depth), design=design, progress=progress,
                     label=sim.simulator)
    comparison = compare(golden, stream)
    notes = []
    if stream.timeout_at >= 0:
        notes.append(f"no output for sample {stream.timeout_at} within {sim.timeout_cycles} cycles (watchdog)")
    serial_run = None
    if serial or (diagnose and not comparison.ok):
        serial_run, comparison = _serial(sim, design, golden, codes, comparison, serial_samples, notes)
    return CheckResult(sim.simulator, comparison, stream, serial_run, plan.signal_path_cycles, plan.signal_path_latency,
                       sim.build_seconds or 0.0, notes)


def _serial(sim: Simulation, design: int, golden, codes, comparison: Comparison, serial_samples, notes):
    """One sample in flight, debug latches compared layer by layer, up to the first failure if any."""
    n = len(codes) if serial_samples is None else min(len(codes), serial_samples)
    if not comparison.ok and comparison.first_failing_sample is not None:
        n = min(len(codes), comparison.first_failing_sample + 1)
    serial_run = sim.run(codes[:n], lead=1, design=design)
    serial_cmp = compare(type(golden)(golden.output[:n], [a[:n] for a in golden.activations]), serial_run)
    if comparison.ok and not serial_cmp.ok:  # the serial run compares every layer: it can catch more
        comparison = serial_cmp
    comparison.first_divergence = serial_cmp.first_divergence
    counts = serial_run.layer_counts.tolist()
    if any(c != serial_run.samples for c in counts):
        notes.append(f"debug strobes per layer over {serial_run.samples} samples: {counts} (expected one each)")
    return serial_run, comparison


def check_network(net: QuantizedNetwork, plan, codes: np.ndarray, build_dir: str | Path, *,
                  verilog: str | Path | None = None, simulator: str = "verilator", serial: bool = False,
                  serial_samples: int | None = None, waves: bool = False, progress: bool = False,
                  cxx_opt: str = "2", golden=None) -> CheckResult:
    """Build and simulate ``codes`` through the network; compare with the golden model (module docstring).

    ``verilog``: an existing design (e.g. ``build/rtl/network.v``); None generates one with debug ports
    from ``net`` and ``plan``. ``serial``: also make the serial debug run (always made on a mismatch; if
    the design has no debug ports, a debug build is generated for it).
    """
    build_dir = Path(build_dir)
    codes = np.asarray(codes, dtype=np.int64)
    golden = golden if golden is not None else run_waveshaper(net, codes)
    if verilog is None:
        verilog = _debug_verilog(net, plan, build_dir / "network_debug.v")
    width = net.config.data_format.width
    sim = Simulation(verilog, build_dir / f"stream_{simulator}", simulator=simulator, waves=waves, cxx_opt=cxx_opt,
                     lane_width=width)
    sim.build()
    result = check_design(sim, net, plan, codes, progress=progress, golden=golden, diagnose=False)
    if (serial or not result.comparison.ok) and not sim.ports.has_debug:
        debug_sim = Simulation(_debug_verilog(net, plan, build_dir / "network_debug.v"),
                               build_dir / f"debug_{simulator}", simulator=simulator, cxx_opt=cxx_opt,
                               lane_width=width)
        debug_sim.build()
        result.build_seconds += debug_sim.build_seconds or 0.0
        result.notes.append(f"serial run on a rebuild with debug ports: {debug_sim.verilog}")
        result.serial, result.comparison = _serial(debug_sim, 0, golden, codes, result.comparison, serial_samples,
                                                   result.notes)
    elif serial or not result.comparison.ok:
        result.serial, result.comparison = _serial(sim, 0, golden, codes, result.comparison, serial_samples,
                                                   result.notes)
    return result
