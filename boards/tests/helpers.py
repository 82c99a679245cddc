"""Shared pieces of the boards/ tests: small configs and stream drivers for amaranth.sim."""

from __future__ import annotations

import random

from common.config import LayerConfig, ModelConfig


def small_config(**changes) -> ModelConfig:
    """A tiny network with the default's input roles (core, e0, e1, zero), cheap to simulate and build."""
    base = dict(name="boards_test", layers=(LayerConfig(4, 2, 1), LayerConfig(1, 2, 2)))
    base.update(changes)
    return ModelConfig(**base)


async def send_vectors(ctx, port, vectors, rng: random.Random, *, gap: float = 0.5):
    """Drive ``port`` (an In stream) with ``vectors`` (lists of ints), random idle cycles in between."""
    for vector in vectors:
        while rng.random() < gap:
            ctx.set(port.valid, 0)
            await ctx.tick()
        ctx.set(port.payload, vector)
        ctx.set(port.valid, 1)
        await ctx.tick().until(port.ready)
    ctx.set(port.valid, 0)


async def collect_vectors(ctx, port, n: int, out: list, rng: random.Random, *, stall: float = 0.3,
                          limit: int = 1_000_000):
    """Take ``n`` vectors from ``port`` (an Out stream) with random back-pressure; append them to ``out``."""
    width = len(port.payload)
    for _ in range(limit):
        if len(out) >= n:
            return
        ready = rng.random() >= stall
        ctx.set(port.ready, ready)
        _, _, valid, payload = await ctx.tick().sample(port.valid, port.payload)
        if ready and valid:
            out.append([int(payload[i]) for i in range(width)])
    raise AssertionError(f"only {len(out)} of {n} vectors arrived within {limit} cycles")
