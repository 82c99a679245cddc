"""The cocotb test that runs inside the simulator: one Python action per sample.

It is started by :mod:`sim.runner` (never collected by pytest: it only runs under a simulator) and reads
its job from the JSON file named by ``NW_SIM_JOB``: the input codes (``.npy``, shape (samples, channels)),
the lane width, the design to select, how many samples to keep in flight (``lead``), and where to write
the raw results. The clock runs inside the simulator (see :mod:`sim.harness`): per sample Python awaits
one ``out_toggle`` change, reads a few values and writes the next input, whatever the cycles per sample.

Comparison against the golden model happens in the parent process, on the saved integers.
"""

from __future__ import annotations

import json
import os
import sys
import time

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge, ValueChange

JOB_ENV = "NW_SIM_JOB"


def pack_rows(codes: np.ndarray, width: int) -> list[int]:
    """Each row of signed codes -> one unsigned int with channel 0 in the least significant bits."""
    mask = (1 << width) - 1
    rows = []
    for row in codes.tolist():
        value = 0
        for channel, code in enumerate(row):
            value |= (int(code) & mask) << (channel * width)
        rows.append(value)
    return rows


@cocotb.test()
async def stream_samples(dut):
    """Drive every input vector of the job, collect the network (and debug) outputs per sample.

    ``lead`` samples are queued in the harness FIFO before the network starts; after that each output
    triggers exactly one new input, so ``lead`` samples stay in flight. ``lead = 1`` is a strictly serial
    run, the only one in which the debug latches hold the same sample's layer outputs.
    """
    with open(os.environ[JOB_ENV]) as f:
        job = json.load(f)
    codes = np.load(job["inputs"])
    packed = pack_rows(codes, job["lane_width"])
    lead = max(1, int(job.get("lead", 1)))
    debug_layers = job["debug_layers"] if lead == 1 else 0
    layer_handles = [getattr(dut, f"layer{i}_latched") for i in range(debug_layers)]
    in_payload, in_toggle, out_toggle = dut.in_payload, dut.in_toggle, dut.out_toggle
    out_payload, latency, interval, timed_out = dut.out_payload, dut.latency, dut.interval, dut.timed_out

    n = len(packed)
    outputs = [0] * n
    layers = [[0] * n for _ in range(debug_layers)]
    latencies = np.zeros(n, dtype=np.int64)
    intervals = np.zeros(n, dtype=np.int64)
    timeout_at = -1

    progress = None
    if job.get("progress"):
        from tqdm import tqdm
        progress = tqdm(total=n, unit="sample", file=sys.stderr, mininterval=0.5, desc=job.get("label", "sim"))

    dut.select.value = int(job.get("design", 0))  # before reset ends, so no other core sees a toggle
    in_toggle.value = 0
    dut.run.value = 0
    if str(dut.started.value) != "1":  # X before Icarus runs the initialisers
        await RisingEdge(dut.started)
    next_cycle = ValueChange(dut.cycle)  # works with either harness clock (see sim.harness.CLOCKS)
    toggle = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    prime = min(lead, n)
    for t in range(prime):  # one FIFO push per clock edge
        in_payload.value = packed[t]
        toggle ^= 1
        in_toggle.value = toggle
        await next_cycle
    dut.run.value = 1
    change = ValueChange(out_toggle)
    next_input = prime
    done = n
    for t in range(n):
        await change
        if timed_out.value:
            timeout_at, done = t, t
            break
        value = out_payload.value
        if not value.is_resolvable:
            raise AssertionError(f"sample {t}: o__payload has X/Z bits: {value}; layers: "
                                 + ", ".join(str(h.value) for h in layer_handles))
        outputs[t] = value.to_unsigned()
        for i in range(debug_layers):
            layers[i][t] = layer_handles[i].value.to_unsigned()
        latencies[t] = latency.value.to_unsigned()
        intervals[t] = interval.value.to_unsigned()
        if next_input < n:
            in_payload.value = packed[next_input]
            toggle ^= 1
            in_toggle.value = toggle
            next_input += 1
        if progress is not None and (t & 1023) == 1023:
            progress.update(1024)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    if progress is not None:
        progress.update(done - progress.n)
        progress.close()
    counts = [int(getattr(dut, f"layer{i}_count").value) for i in range(job["debug_layers"])]

    def hexes(values: list[int]) -> list[str]:  # arbitrary-width vectors, decoded by the parent
        return [format(v, "x") for v in values[:done]]

    np.savez(
        job["results"],
        outputs=np.array(hexes(outputs)),
        layers=np.array([hexes(layer) for layer in layers]).reshape(debug_layers, done),
        layer_counts=np.array(counts, dtype=np.int64),
        latency=latencies[:done],
        interval=intervals[:done],
        timeout_at=np.int64(timeout_at),
        overrun=np.int64(int(dut.overrun.value)),
        seconds=np.float64(seconds),
        cpu_seconds=np.float64(cpu_seconds),
    )
