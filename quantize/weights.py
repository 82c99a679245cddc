"""Integer network weights: the contract between ``quantize/`` and ``rtl/``, ``sim/``, ``boards/``.

``build/weights/`` holds three files written together:

* ``weights.npz``: ``w{i}`` (kernel_size, in_channels, filters) and ``b{i}`` (filters,) as int32 codes
  in ``weight_format`` for every layer i;
* ``config.json``: the :class:`~common.config.ModelConfig` the weights belong to;
* ``manifest.json``: shapes, formats and value ranges, for people and other tools.

No TensorFlow here: loading weights must stay cheap for the hardware stages.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from common.config import ModelConfig

__all__ = ["QuantizedLayer", "QuantizedNetwork", "WeightsError", "random_network"]


class WeightsError(ValueError):
    """Weights that do not match their config or their number format."""


@dataclass(frozen=True)
class QuantizedLayer:
    #: Integer kernel codes, shape (kernel_size, in_channels, filters).
    weights: np.ndarray
    #: Integer bias codes, shape (filters,), in ``weight_format`` (not yet aligned).
    bias: np.ndarray


@dataclass(frozen=True)
class QuantizedNetwork:
    config: ModelConfig
    layers: tuple[QuantizedLayer, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(
            QuantizedLayer(np.asarray(layer.weights, dtype=np.int64), np.asarray(layer.bias, dtype=np.int64))
            for layer in self.layers))
        self.validate()

    def validate(self) -> None:
        cfg = self.config
        if len(self.layers) != len(cfg.layers):
            raise WeightsError(f"config has {len(cfg.layers)} layers, weights have {len(self.layers)}")
        fmt = cfg.weight_format
        for i, (layer, lc) in enumerate(zip(self.layers, cfg.layers, strict=True)):
            shape = (lc.kernel_size, cfg.in_channels(i), lc.filters)
            if layer.weights.shape != shape:
                raise WeightsError(f"layer {i}: kernel shape {layer.weights.shape}, config expects {shape}")
            if layer.bias.shape != (lc.filters,):
                raise WeightsError(f"layer {i}: bias shape {layer.bias.shape}, config expects ({lc.filters},)")
            for name, arr in (("kernel", layer.weights), ("bias", layer.bias)):
                bad = np.argwhere((arr < fmt.min_int) | (arr > fmt.max_int))
                if len(bad):
                    idx = tuple(int(v) for v in bad[0])
                    raise WeightsError(
                        f"layer {i} {name}{list(idx)} = {int(arr[idx])} is outside {fmt} "
                        f"[{fmt.min_int}, {fmt.max_int}] ({len(bad)} value(s) out of range)")

    # -- files ------------------------------------------------------------------------------------

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for i, layer in enumerate(self.layers):
            arrays[f"w{i}"] = layer.weights.astype(np.int32)
            arrays[f"b{i}"] = layer.bias.astype(np.int32)
        np.savez(directory / "weights.npz", **arrays)
        self.config.to_json(directory / "config.json")
        manifest = {
            "format": "integer codes, value = code / 2**frac_bits",
            "weight_format": {"width": self.config.weight_format.width,
                              "frac_bits": self.config.weight_format.frac_bits,
                              "name": str(self.config.weight_format)},
            "data_format": {"width": self.config.data_format.width,
                            "frac_bits": self.config.data_format.frac_bits,
                            "name": str(self.config.data_format)},
            "rounding": self.config.rounding,
            "overflow": self.config.overflow,
            "params": self.config.params,
            "layers": [
                {"kernel": f"w{i}", "kernel_shape": list(layer.weights.shape),
                 "kernel_axes": ["tap", "in_channel", "out_channel"],
                 "bias": f"b{i}", "bias_shape": list(layer.bias.shape),
                 "dilation": self.config.layers[i].dilation,
                 "min_code": int(min(layer.weights.min(), layer.bias.min())),
                 "max_code": int(max(layer.weights.max(), layer.bias.max())),
                 "accumulator_bits": self.config.accumulator_bits(i)}
                for i, layer in enumerate(self.layers)
            ],
        }
        (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    @classmethod
    def load(cls, directory: str | Path) -> QuantizedNetwork:
        directory = Path(directory)
        for name in ("weights.npz", "config.json"):
            if not (directory / name).exists():
                raise WeightsError(
                    f"{directory / name} is missing: run `make quantize` first (or pass another "
                    f"weights directory)")
        config = ModelConfig.from_json(directory / "config.json")
        path = directory / "weights.npz"
        count = len(config.layers)
        expected = {f"{kind}{i}" for kind in "wb" for i in range(count)}
        try:
            with np.load(path) as data:
                names = set(data.files)
                missing, extra = sorted(expected - names), sorted(names - expected)
                if missing:
                    raise WeightsError(
                        f"{path} has no array {', '.join(missing)} (config.json has {count} layers: "
                        f"w0..w{count - 1}, b0..b{count - 1}); run `make quantize` again")
                if extra:
                    raise WeightsError(f"{path} has array(s) {', '.join(extra)} that config.json ({count} layers) "
                                       f"does not have; weights and config come from different exports")
                layers = tuple(QuantizedLayer(data[f"w{i}"], data[f"b{i}"]) for i in range(count))
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            if isinstance(exc, WeightsError):
                raise
            raise WeightsError(f"{path} is not a readable .npz file ({exc}); run `make quantize` again") from exc
        return cls(config, layers)


def random_network(config: ModelConfig, rng: np.random.Generator, *, scale: float = 0.35,
                   extremes: float = 0.02) -> QuantizedNetwork:
    """Random integer weights for tests: Gaussian codes of ``scale`` (real units), clipped to the
    format, with a fraction ``extremes`` of them forced to the format's most negative or most positive
    code so that full-scale products and saturation are exercised."""
    fmt = config.weight_format
    layers = []
    for i, lc in enumerate(config.layers):
        shape = (lc.kernel_size, config.in_channels(i), lc.filters)
        parts = []
        for shp in (shape, (lc.filters,)):
            codes = np.rint(rng.normal(0.0, scale * fmt.scale, size=shp))
            mask = rng.random(shp) < extremes
            codes[mask] = rng.choice([fmt.min_int, fmt.max_int], size=int(mask.sum()))
            parts.append(np.clip(codes, fmt.min_int, fmt.max_int).astype(np.int64))
        layers.append(QuantizedLayer(*parts))
    return QuantizedNetwork(config, tuple(layers))
