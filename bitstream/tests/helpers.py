"""Shared pieces of the bitstream/ tests: small configs, stream drivers for amaranth.sim, and fake
synthesis / place-and-route tools."""

from __future__ import annotations

import random
import sys

import numpy as np

from bitstream.scaling import input_scale, output_scale
from common.config import LayerConfig, ModelConfig
from quantize.golden import run_waveshaper


def small_config(**changes) -> ModelConfig:
    """A tiny network with the default's input roles, cheap to simulate and build."""
    base = dict(name="boards_test", layers=(LayerConfig(4, 2, 1), LayerConfig(1, 2, 2)))
    base.update(changes)
    return ModelConfig(**base)


def expected_dac(net, adc: np.ndarray) -> np.ndarray:
    """The documented mapping: jacks 0-2 (core, e0, e1) scaled into the front end, network output 0 scaled
    back to DAC 0, the calibrated core sample ``config.lookahead`` samples back (0 before the first) to
    DAC 1, silence on DAC 2/3."""
    cfg = net.config
    k_in, k_out = input_scale(cfg), output_scale(cfg)
    y = run_waveshaper(net, k_in.apply(adc[:, 0:3])).output
    out = np.zeros((len(adc), 4), dtype=np.int64)
    out[:, 0] = k_out.apply(y[:, 0])
    lag = cfg.lookahead
    out[lag:, 1] = adc[:len(adc) - lag, 0]
    return out


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


_FAKE_TOOL = """#!{python}
# A stand-in for {tool}, run by amaranth's build script: writes the log and the product a real run writes.
import pathlib
import sys

args = sys.argv[1:]
def after(flag):
    return args[args.index(flag) + 1] if flag in args else None
log = after({log_flag!r})
if log:
    pathlib.Path(log).write_text({log_text!r})
if {fail!r}:
    print("ERROR: {tool} stopped (fake failure)", file=sys.stderr)
    sys.exit(3)
product = after({product_flag!r}) or args[-1].replace(".ys", ".json")
if {product_flag!r} == "--textcfg":
    # what nextpnr would route: the template's words in block RAMs used 18 bits wide (bit b of address a is
    # bit 18 a + b of a block's 2048 9-bit words), 1024 words per block
    templates = sorted(pathlib.Path("templates").glob("*/template.hex"), key=lambda p: p.stat().st_mtime)
    words = [int(w, 16) for w in templates[-1].read_text().split()] if templates else []
    text = ".device LFE5UM5G-85F\\n\\n"
    for block, start in enumerate(range(0, len(words), 1024)):
        bits = [0] * 18432
        for a, w in enumerate(words[start:start + 1024]):
            for b in range(16):
                bits[18 * a + b] = (w >> b) & 1
        values = [sum(bits[9 * i + j] << j for j in range(9)) for i in range(2048)]
        text += f".bram_init {{block}}\\n" + "".join(
            f"{{v:03x}}" + ("\\n" if i % 8 == 7 else " ") for i, v in enumerate(values)) + "\\n"
    pathlib.Path(product).write_text(text)
else:
    pathlib.Path(product).write_bytes(b"fake")
"""


def fake_toolchain(monkeypatch, tmp_path, nextpnr_log, fail=None):
    """Point YOSYS, NEXTPNR_ECP5 and ECPPACK at fake tools (the design is still fully elaborated into
    RTLIL for the board): yosys and nextpnr write a log, nextpnr's is ``nextpnr_log``, and nextpnr's text
    configuration holds the template's coefficient words in block RAM blocks as a routed design would (the
    real ecpbram then patches it); ``fail`` names the one that exits 3 after writing its log (ecppack has
    none: it only prints an error)."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir(exist_ok=True)
    tools = {"yosys": ("YOSYS", "-l", "yosys log\nERROR: yosys line 42: fake synthesis error\n", None),
             "nextpnr-ecp5": ("NEXTPNR_ECP5", "--log", nextpnr_log, "--textcfg"),
             "ecppack": ("ECPPACK", None, "", "--bit")}
    for tool, (var, log_flag, log_text, product_flag) in tools.items():
        path = bin_dir / f"fake-{tool}"
        path.write_text(_FAKE_TOOL.format(python=sys.executable, tool=tool, log_flag=log_flag, log_text=log_text,
                                          fail=tool == fail, product_flag=product_flag))
        path.chmod(0o755)
        monkeypatch.setenv(var, str(path))
