"""Trained QKeras model -> integer weight codes for the hardware (``build/weights/``).

The trained float kernels and biases are converted with fxpmath to ``weight_format`` (FP4.12),
rounding half to even (``'around'``, what QKeras' ``tf.round`` does) and saturating. Two checks guard
the conversion, because the RTL stores these codes in ROM and any disagreement would silently change
the network that was trained:

* the codes must equal QKeras' own quantized weights (``kernel_quantizer_internal(kernel)``), i.e. the
  hardware runs the very weights the quantization-aware training saw;
* a value outside the format saturates to the end of the range: every one is reported (layer, tensor,
  index, value) and the export fails unless saturation is explicitly allowed.

TensorFlow is imported lazily, only by the functions that need a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from fxpmath import Fxp

from common.config import ConfigError, FixedFormat, ModelConfig

from .weights import QuantizedLayer, QuantizedNetwork

__all__ = [
    "QuantizeError",
    "SaturatedValue",
    "convert_weights",
    "float_weights",
    "load_trained_model",
    "stored_float_weights",
    "qkeras_weight_codes",
    "check_against_qkeras",
    "to_fixed_codes",
]


class QuantizeError(RuntimeError):
    """The export cannot produce weights the hardware may use; the message says why and where."""


@dataclass(frozen=True)
class SaturatedValue:
    """A trained value outside ``weight_format`` that was clamped to the end of the range."""

    layer: int
    tensor: str  # "kernel" or "bias"
    index: tuple[int, ...]
    value: float
    code: int  # the saturated code that was stored

    def to_dict(self) -> dict:
        return {"layer": self.layer, "tensor": self.tensor, "index": list(self.index),
                "value": self.value, "saturated_code": self.code}

    def __str__(self) -> str:
        return (f"layer {self.layer} (conv{self.layer}) {self.tensor}{list(self.index)} = {self.value!r} "
                f"saturates to code {self.code}")


# -- loading ---------------------------------------------------------------------------------------

def load_trained_model(directory: str | Path):
    """``(model, config)`` of the trained QKeras model in ``directory`` (``build/train`` by default).

    Checks the files before importing TensorFlow so a missing model fails fast with a clear message."""
    directory = Path(directory)
    _checked_config(directory)  # read before TensorFlow: a bad file fails in seconds
    from train.artifacts import load_trained  # imports TensorFlow

    try:
        return load_trained(directory)
    except OSError as exc:  # h5py: not an HDF5 file, or a truncated one
        raise QuantizeError(f"{directory / 'model.h5'}: not a readable model ({exc}); rerun `make train`") from exc


def stored_float_weights(directory: str | Path) -> tuple[list[tuple[np.ndarray, np.ndarray]], ModelConfig]:
    """``(float_weights, config)`` read straight from ``model.h5`` with h5py, without TensorFlow: the
    arrays :func:`float_weights` returns for the loaded model, in a fraction of a second instead of the
    seconds that importing TensorFlow and rebuilding the QKeras graph take. Keras' HDF5 layout keeps each
    layer's arrays in the group ``model_weights/<layer>``, named in order by its ``weight_names``."""
    import h5py

    directory = Path(directory)
    config = _checked_config(directory)
    path = directory / "model.h5"
    arrays = []
    try:
        with h5py.File(path, "r") as h5:
            if "model_weights" not in h5:
                raise QuantizeError(f"{path}: no model_weights group, not a Keras model; rerun `make train`")
            layers = h5["model_weights"]
            for i in range(len(config.layers)):
                if f"conv{i}" not in layers:
                    raise QuantizeError(f"the model has no layer conv{i}, but the config has {len(config.layers)} "
                                        "layers")
                group = layers[f"conv{i}"]
                names = [n.decode() if isinstance(n, bytes) else str(n) for n in group.attrs.get("weight_names", [])]
                arrays.append([np.asarray(group[name]) for name in names])
    except OSError as exc:  # h5py: not an HDF5 file, or a truncated one
        raise QuantizeError(f"{path}: not a readable model ({exc}); rerun `make train`") from exc
    return _checked_weights(arrays, config), config


def _checked_config(directory: Path) -> ModelConfig:
    """The config of the training output in ``directory``, after checking that its model file is there."""
    if not directory.is_dir():
        raise QuantizeError(f"model directory {directory} does not exist: run `make train` first "
                            f"(or pass --model-dir)")
    for name in ("model.h5", "config.json"):
        if not (directory / name).is_file():
            raise QuantizeError(f"{directory / name} is missing: run `make train` first (or pass --model-dir)")
    try:
        return ModelConfig.from_json(directory / "config.json")
    except ConfigError as exc:
        raise QuantizeError(f"{exc}; rerun `make train` to write it again") from exc


# -- conversion ------------------------------------------------------------------------------------

def float_weights(model, config: ModelConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """The trained float (kernel (K, Cin, Cout), bias (Cout,)) of every layer ``conv{i}``."""
    arrays = []
    for i in range(len(config.layers)):
        try:
            layer = model.get_layer(f"conv{i}")
        except ValueError as exc:
            raise QuantizeError(f"the model has no layer conv{i}, but the config has {len(config.layers)} "
                                f"layers") from exc
        arrays.append(layer.get_weights())
    return _checked_weights(arrays, config)


def _checked_weights(arrays: list[list[np.ndarray]], config: ModelConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's [kernel, bias] as float64, checked against the shapes ``config`` gives them."""
    result = []
    for i, (lc, params) in enumerate(zip(config.layers, arrays, strict=True)):
        if len(params) != 2:
            raise QuantizeError(f"layer conv{i}: expected a kernel and a bias, got {len(params)} arrays")
        kernel, bias = (np.asarray(p, dtype=np.float64) for p in params)
        shape = (lc.kernel_size, config.in_channels(i), lc.filters)
        if kernel.shape != shape or bias.shape != (lc.filters,):
            raise QuantizeError(f"layer conv{i}: kernel {kernel.shape} / bias {bias.shape}, config expects "
                                f"{shape} / ({lc.filters},)")
        result.append((kernel, bias))
    return result


def to_fixed_codes(values: np.ndarray, fmt: FixedFormat) -> np.ndarray:
    """fxpmath conversion of real values to ``fmt`` codes: round half to even, saturate."""
    fixed = Fxp(np.asarray(values, dtype=np.float64), signed=True, n_word=fmt.width, n_frac=fmt.frac_bits,
                rounding="around", overflow="saturate")
    return np.asarray(fixed.val).astype(np.int64).reshape(np.shape(values))


def _saturated(layer: int, tensor: str, values: np.ndarray, codes: np.ndarray,
               fmt: FixedFormat) -> list[SaturatedValue]:
    """Values whose rounded code lies outside the format (so the stored code is the clamped one)."""
    unclamped = np.rint(values * fmt.scale)  # exact scaling by a power of two; rint is half-even
    bad = np.argwhere((unclamped < fmt.min_int) | (unclamped > fmt.max_int))
    return [SaturatedValue(layer, tensor, tuple(int(v) for v in idx), float(values[tuple(idx)]),
                           int(codes[tuple(idx)])) for idx in bad]


def convert_weights(layers: list[tuple[np.ndarray, np.ndarray]], config: ModelConfig
                    ) -> tuple[QuantizedNetwork, list[SaturatedValue]]:
    """Float (kernel, bias) per layer -> :class:`QuantizedNetwork` and the list of saturated values."""
    fmt = config.weight_format
    quantized, saturated = [], []
    for i, (kernel, bias) in enumerate(layers):
        parts = []
        for tensor, values in (("kernel", kernel), ("bias", bias)):
            values = np.asarray(values, dtype=np.float64)
            bad = np.argwhere(~np.isfinite(values))
            if len(bad):
                idx = tuple(int(v) for v in bad[0])
                raise QuantizeError(f"layer {i} (conv{i}) {tensor}{list(idx)} = {values[idx]}: not a finite "
                                    f"number; the training diverged")
            codes = to_fixed_codes(values, fmt)
            saturated += _saturated(i, tensor, values, codes, fmt)
            parts.append(codes)
        quantized.append(QuantizedLayer(*parts))
    return QuantizedNetwork(config, tuple(quantized)), saturated


# -- the QKeras cross-check ------------------------------------------------------------------------

def qkeras_weight_codes(model, config: ModelConfig) -> list[tuple[np.ndarray, np.ndarray]]:
    """QKeras' own quantized (kernel, bias) of every layer, as integer codes of ``weight_format``."""
    fmt = config.weight_format
    result = []
    for i in range(len(config.layers)):
        layer = model.get_layer(f"conv{i}")
        if not hasattr(layer, "kernel_quantizer_internal"):
            raise QuantizeError(f"layer conv{i} is not a QKeras QConv1D (no kernel quantizer)")
        pair = []
        for tensor, quantizer, variable in (("kernel", layer.kernel_quantizer_internal, layer.kernel),
                                            ("bias", layer.bias_quantizer_internal, layer.bias)):
            real = np.asarray(quantizer(variable), dtype=np.float64)
            scaled = real * fmt.scale
            off_grid = np.argwhere(scaled != np.rint(scaled))
            if len(off_grid):
                idx = tuple(int(v) for v in off_grid[0])
                raise QuantizeError(f"layer conv{i} {tensor}{list(idx)}: QKeras' quantized value {real[idx]!r} is "
                                    f"not on the {fmt} grid; check the quantizer (alpha=1)")
            pair.append(scaled.astype(np.int64))
        result.append(tuple(pair))
    return result


def check_against_qkeras(network: QuantizedNetwork, qkeras_codes: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Raise if any exported code differs from QKeras' quantized weights, naming the first one."""
    for i, (layer, (qk_kernel, qk_bias)) in enumerate(zip(network.layers, qkeras_codes, strict=True)):
        for tensor, ours, theirs in (("kernel", layer.weights, qk_kernel), ("bias", layer.bias, qk_bias)):
            diff = np.argwhere(ours != theirs)
            if len(diff):
                idx = tuple(int(v) for v in diff[0])
                raise QuantizeError(f"layer conv{i} {tensor}{list(idx)}: fxpmath code {int(ours[idx])} != QKeras "
                                    f"code {int(theirs[idx])} ({len(diff)} difference(s))")
