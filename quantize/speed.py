"""How fast the golden model's batch form runs, as a multiple of real time.

The golden model has to chew through long test signals (minutes of audio at 192 kHz) in every
comparison, so its speed matters; it is measured on **one core** (BLAS limited to one thread), since
the machine that runs the tests is shared, and reported as a median of repeated runs.
"""

from __future__ import annotations

import time

import numpy as np
from threadpoolctl import threadpool_limits

from .golden import run_batch
from .weights import QuantizedNetwork

__all__ = ["realtime_factor"]


def realtime_factor(network: QuantizedNetwork, *, seconds: float = 1.0, repeats: int = 5,
                    sample_rate_hz: int | None = None, seed: int = 0) -> dict:
    """Median (over ``repeats`` runs) of signal duration / wall time of :func:`run_batch` on one core,
    for ``seconds`` of random input at ``sample_rate_hz`` (the config's rate by default). Also the best
    run and the same median in process CPU time (``cpu_realtime_factor``)."""
    cfg = network.config
    rate = sample_rate_hz or cfg.sample_rate_hz
    samples = int(round(seconds * rate))
    rng = np.random.default_rng(seed)
    x = rng.integers(cfg.data_format.min_int // 2, cfg.data_format.max_int // 2, size=(samples, cfg.n_inputs))
    times, cpu_times = [], []
    with threadpool_limits(limits=1):
        run_batch(network, x[:min(samples, 4096)])  # warm-up: allocations, BLAS dispatch
        for _ in range(repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            run_batch(network, x)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    median = float(np.median(times))
    duration = samples / rate
    return {"realtime_factor": duration / median, "median_seconds": median, "runs": repeats,
            "best_realtime_factor": duration / min(times),
            # CPU time of this process: what one core delivers when the machine is shared (wall time
            # then also counts the time other processes held the core)
            "cpu_realtime_factor": duration / float(np.median(cpu_times)),
            "signal_seconds": duration, "sample_rate_hz": rate, "threads": 1,
            "min_seconds": float(min(times)), "max_seconds": float(max(times))}
