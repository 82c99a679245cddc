"""The one model configuration that drives every stage.

A :class:`ModelConfig` is read from a TOML file (``configs/default.toml``), trained against by ``train/``,
written as JSON beside the exported weights by ``quantize/`` and read back from there by ``rtl/``, ``sim/``
and ``boards/``. Everything the hardware needs to know about the network (channel counts, kernel sizes,
dilations, number formats, the sample rate it was trained for) lives here and nowhere else.

Invalid configurations are rejected at load time with a :class:`ConfigError` whose message starts with
the offending field, e.g. ``layers[1].dilation: ...``, before any training or synthesis starts. Valid but
unusual ones (a dilation that leaves gaps in the receptive field) are accepted with a
:class:`ReceptiveFieldGapWarning`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .devices import MULTIPLIER_WIDTH
from .roles import CORE, INPUT_ROLES, unknown_roles

__all__ = [
    "ConfigError",
    "FixedFormat",
    "FrontEndConfig",
    "LayerConfig",
    "ModelConfig",
    "ROUNDING_MODES",
    "ReceptiveFieldGapWarning",
    "is_integer",
    "is_real",
    "load_config",
    "read_toml_table",
    "rounding_constant",
]

#: Requantization rounding modes the golden model and the RTL implement (see ``docs/arithmetic.md``).
ROUNDING_MODES = ("half_up", "floor", "half_even")
ACTIVATIONS = ("relu",)
OVERFLOW_MODES = ("saturate",)


class ConfigError(ValueError):
    """A configuration value that cannot be built; the message names the field."""


class ReceptiveFieldGapWarning(UserWarning):
    """A dilation larger than the span the layers before it cover: the network sees only some of the past
    samples in its receptive field. Keras builds such networks and the hardware computes them exactly
    (every layer reads its own taps), so they are accepted, with this warning."""


def is_integer(value: Any) -> bool:
    """An ``int`` that is not a ``bool`` (Python's ``True`` is the integer 1, TOML's ``true`` is not a count)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """A finite ``int`` or ``float`` that is not a ``bool`` (TOML and JSON allow ``inf`` and ``nan``)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class FixedFormat:
    """A signed two's-complement fixed-point format: ``width`` bits, ``frac_bits`` of them fractional.

    FP4.12 (the default) is ``FixedFormat(16, 12)``: 1 sign + 3 integer + 12 fraction bits, a step of
    2**-12 and a range of [-8, 8 - 2**-12].
    """

    width: int = 16
    frac_bits: int = 12

    @property
    def int_bits(self) -> int:
        """Integer bits excluding the sign bit (QKeras' ``integer`` argument)."""
        return self.width - 1 - self.frac_bits

    @property
    def min_int(self) -> int:
        return -(1 << (self.width - 1))

    @property
    def max_int(self) -> int:
        return (1 << (self.width - 1)) - 1

    @property
    def scale(self) -> int:
        """Integer code of the real value 1.0."""
        return 1 << self.frac_bits

    @property
    def min_real(self) -> float:
        return self.min_int / self.scale

    @property
    def max_real(self) -> float:
        return self.max_int / self.scale

    def to_codes(self, values: Any) -> np.ndarray:
        """Real values -> codes of this format: ``round(x * 2**frac_bits)``, half to even (as QKeras rounds),
        saturated to ``[min_int, max_int]`` (docs/arithmetic.md: nothing wraps); int64 of the input's shape.
        Scaling by a power of two is exact, so only the rounding and the saturation change a value."""
        scaled = np.round(np.asarray(values, dtype=np.float64) * self.scale)
        return np.clip(scaled, self.min_int, self.max_int).astype(np.int64)

    def __str__(self) -> str:
        return f"FP{self.width - self.frac_bits}.{self.frac_bits}"

    def _check(self, name: str, multiplier_width: int) -> None:
        if not is_integer(self.width):
            raise ConfigError(f"{name}.width: must be a positive integer, got {self.width!r}")
        if not is_integer(self.frac_bits):
            raise ConfigError(f"{name}.frac_bits: must be a non-negative integer, got {self.frac_bits!r}")
        if self.width < 2:
            raise ConfigError(f"{name}.width: must be at least 2 bits, got {self.width}")
        if self.width > multiplier_width:
            raise ConfigError(
                f"{name}.width: {self.width} bits is wider than the {multiplier_width}-bit hardware "
                f"multiplier (multiplier_width); use at most {multiplier_width} bits")
        if not 0 <= self.frac_bits <= self.width - 1:
            raise ConfigError(
                f"{name}.frac_bits: must be between 0 and width-1 = {self.width - 1}, got {self.frac_bits}")


@dataclass(frozen=True)
class FrontEndConfig:
    """The front end that derives the ``direction``, ``slope``, ``level``, ``rate`` and ``phase`` input roles
    from the core wave, in integer arithmetic on ``data_format`` codes (docs/arithmetic.md, "Front end").

    Why: a triangle sample alone does not say whether the wave rises or falls, and at low pitch the
    network's receptive field spans a few LSB of change. The direction cue remembers the half of the
    cycle for as long as it lasts, and the slope gives the network the step size (the pitch, and where
    an edge falls between samples) at a usable scale. Both cost a few adders and a register. ``level``
    and ``rate`` place the core within its own last swing (a reciprocal, two products); ``phase`` places
    it within its last half period by time (two counters, two sums, a second divider).
    """

    #: The direction compares the core with its value this many samples earlier ...
    direction_lag: int = 4
    #: ... and flips to rising (falling) once the difference is at least (at most minus) this many LSB;
    #: in between it holds (hysteresis: quantization noise on a slow wave cannot make it chatter).
    direction_threshold: int = 2
    #: ``slope = (core[t] - core[t-1]) << slope_shift``, saturated to ``data_format``.
    slope_shift: int = 4
    #: ``level`` and ``rate`` divide by the last swing ``hi - lo`` of the core, but never by less than this
    #: many LSB (a silent or unplugged core must not be amplified into noise).
    span_floor: int = 512
    #: ``rate`` is the core's step over the swing, times ``2**rate_shift``.
    rate_shift: int = 6

    #: ``level`` and ``rate`` multiply by ``recip = 2**K // span`` with ``K = RECIPROCAL_BASE +
    #: bit_length(span_floor - 1)``: at most 2**16, one operand of an 18 x 18 hardware multiplier.
    RECIPROCAL_BASE = 16
    #: The most past core samples the front end's history holds, the bound of ``direction_lag``. The hardware
    #: keeps them in flip-flops (``rtl/front_end.py``): per sample of lag the core and its two direction
    #: bounds, ``3 * width + 2`` flip-flops, so 64 samples (333 us at 192 kHz) cost about 3 200 of them, an
    #: eighth of a 25F's; the golden model keeps the same history in a numpy array.
    MAX_HISTORY = 64
    #: ``phase`` counts the samples since the last turn of the direction, saturating at this count (2**14 - 1
    #: samples, 85 ms at 192 kHz: the half period of a 5.9 Hz core; the datalogger's lowest pitch, 27.5 Hz,
    #: has half periods of 3 491 samples).
    PHASE_COUNT_MAX = (1 << 14) - 1
    #: ``phase`` grows by ``2**(PHASE_BITS + 1) // half`` per sample: 2.0 over a half period of ``half``
    #: samples with ``PHASE_BITS`` fraction bits, so over the longest half the sum is short of 2.0 by at most
    #: ``PHASE_COUNT_MAX / 2**PHASE_BITS`` (4 LSB of FP4.12).
    PHASE_BITS = 24
    #: The shortest half period ``phase`` divides by (a chattering direction measures halves of 1 sample).
    PHASE_HALF_FLOOR = 2

    @property
    def reciprocal_bits(self) -> int:
        """``K`` above."""
        return self.RECIPROCAL_BASE + (self.span_floor - 1).bit_length()

    def _check(self, data_format: FixedFormat) -> None:
        if not is_integer(self.direction_lag) or not 1 <= self.direction_lag <= self.MAX_HISTORY:
            raise ConfigError(f"front_end.direction_lag: must be an integer from 1 to {self.MAX_HISTORY} (the core "
                              f"samples the front end's history holds), got {self.direction_lag!r}")
        # the largest difference of two data_format codes: a larger threshold could never flip the direction
        widest = data_format.max_int - data_format.min_int
        if not is_integer(self.direction_threshold) or not 1 <= self.direction_threshold <= widest:
            raise ConfigError(f"front_end.direction_threshold: must be an integer from 1 to {widest} (the largest "
                              f"difference of two {data_format} codes), got {self.direction_threshold!r}")
        shift = self.slope_shift
        if not is_integer(shift) or not 0 <= shift <= 15:
            raise ConfigError(f"front_end.slope_shift: must be an integer from 0 to 15, got {self.slope_shift!r}")
        if not is_integer(self.span_floor) or not 16 <= self.span_floor <= 1 << 14:
            raise ConfigError(f"front_end.span_floor: must be an integer from 16 to 16384, got {self.span_floor!r}")
        if not is_integer(self.rate_shift) or not 0 <= self.rate_shift <= 8:
            raise ConfigError(f"front_end.rate_shift: must be an integer from 0 to 8, got {self.rate_shift!r}")


@dataclass(frozen=True)
class LayerConfig:
    """One causal dilated Conv1D: ``filters`` outputs, ``kernel_size`` taps spaced ``dilation`` apart.

    Output at time t uses the layer's inputs at t - (kernel_size-1-k)*dilation for k = 0..kernel_size-1,
    so kernel tap ``k = kernel_size-1`` sees the newest sample (Keras' ``padding="causal"`` order).
    """

    filters: int
    kernel_size: int = 4
    dilation: int = 1

    @property
    def history(self) -> int:
        """How many past input vectors (besides the current one) this layer must remember."""
        return (self.kernel_size - 1) * self.dilation


@dataclass(frozen=True)
class ModelConfig:
    """The whole network and its arithmetic. Frozen: every stage sees the same object."""

    layers: tuple[LayerConfig, ...]
    name: str = "default"
    #: The audio rate the model is trained for and the hardware runs at.
    sample_rate_hz: int = 192_000
    #: Input channel roles, in order, each one of :data:`common.roles.INPUT_ROLES`: ``core`` is the core
    #: wave, ``e0``/``e1`` the embedding CVs, ``direction``, ``slope``, ``level`` and ``rate`` what the front
    #: end derives from the core (``common/front_end.py``), ``zero`` a spare channel held at 0 (the prior
    #: design's fourth).
    inputs: tuple[str, ...] = ("core", "e0", "e1", "direction", "slope", "level", "rate")
    #: Nonlinearity after every layer but the last, which is linear.
    activation: str = "relu"
    #: Weights and biases.
    weight_format: FixedFormat = field(default_factory=FixedFormat)
    #: Network inputs, activations between layers and the network output.
    data_format: FixedFormat = field(default_factory=FixedFormat)
    #: Requantization from the accumulator back to ``data_format`` (docs/arithmetic.md).
    rounding: str = "half_up"
    #: What narrowing does outside the range. Only saturation is supported: never wrap.
    overflow: str = "saturate"
    #: Width of one hardware multiplier input (ECP5 MULT18X18D: 18x18 signed).
    multiplier_width: int = MULTIPLIER_WIDTH
    #: Volts at a jack that correspond to the real value 1.0 of ``data_format`` (eurorack: +-5 V audio).
    volts_per_unit: float = 5.0
    #: How the ``direction`` and ``slope`` roles are derived from the core (used when ``inputs`` names them).
    front_end: FrontEndConfig = field(default_factory=FrontEndConfig)
    #: The output runs this many samples behind the core: the network is trained to play, at sample t, the
    #: target wave of the core's sample t - lookahead (and the board delays its dry output to match). It
    #: lets the network see an edge of the core before it has to place the target's band-limited edge,
    #: which a strictly causal network can only guess (2 samples = 10.4 us at 192 kHz).
    lookahead: int = 0

    def __post_init__(self) -> None:
        # Accept lists (from TOML/JSON) but store tuples so the object is hashable and immutable; a string is a
        # sequence too, but "core" is one role, not four.
        if not isinstance(self.layers, list | tuple):
            raise ConfigError(f"layers: must be a list of layers ([[layers]] tables), got {self.layers!r}")
        if not isinstance(self.inputs, list | tuple) or not all(isinstance(r, str) for r in self.inputs):
            raise ConfigError(f"inputs: must be a list of role names such as [\"core\", \"e0\"], "
                              f"got {self.inputs!r}")
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        self._validate()

    # -- validation -------------------------------------------------------------------------------

    def _validate(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"name: must be a non-empty string, got {self.name!r}")
        if not is_integer(self.sample_rate_hz) or self.sample_rate_hz <= 0:
            raise ConfigError(f"sample_rate_hz: must be a positive integer, got {self.sample_rate_hz!r}")
        if not self.inputs:
            raise ConfigError("inputs: at least one input channel is needed")
        if len(set(self.inputs)) != len(self.inputs):
            raise ConfigError(f"inputs: channel names must be unique, got {list(self.inputs)}")
        unknown = unknown_roles(self.inputs)
        if unknown:
            raise ConfigError(f"inputs: unknown role {unknown[0]!r}; the input roles are "
                              f"{', '.join(INPUT_ROLES)} (common/roles.py)")
        if CORE not in self.inputs:
            raise ConfigError(f"inputs: a {CORE!r} (core wave) channel is required, got {list(self.inputs)}")
        if self.activation not in ACTIVATIONS:
            raise ConfigError(f"activation: must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.rounding not in ROUNDING_MODES:
            raise ConfigError(f"rounding: must be one of {ROUNDING_MODES}, got {self.rounding!r}")
        if self.overflow not in OVERFLOW_MODES:
            raise ConfigError(
                f"overflow: must be one of {OVERFLOW_MODES} (wrap-around is never allowed), "
                f"got {self.overflow!r}")
        if not is_integer(self.multiplier_width) or self.multiplier_width < 2:
            raise ConfigError(
                f"multiplier_width: must be a positive integer of at least 2, got {self.multiplier_width!r}")
        self.weight_format._check("weight_format", self.multiplier_width)
        self.data_format._check("data_format", self.multiplier_width)
        if self.data_format.frac_bits < 1:
            raise ConfigError("data_format.frac_bits: must be at least 1 for round-to-nearest modes")
        if not is_real(self.volts_per_unit) or not self.volts_per_unit > 0:
            raise ConfigError(f"volts_per_unit: must be a positive finite number, got {self.volts_per_unit!r}")
        if not is_integer(self.lookahead) or self.lookahead < 0:
            raise ConfigError(f"lookahead: must be a non-negative integer, got {self.lookahead!r}")
        if not isinstance(self.front_end, FrontEndConfig):
            raise ConfigError(f"front_end: must be a table of FrontEndConfig fields, got {self.front_end!r}")
        self.front_end._check(self.data_format)
        reciprocal_bits = self.front_end.reciprocal_bits
        if reciprocal_bits - self.data_format.frac_bits - self.front_end.rate_shift < 0:
            raise ConfigError(f"front_end.rate_shift: {self.front_end.rate_shift} is more than the front end's "
                              f"reciprocal ({reciprocal_bits} bits) leaves after data_format's "
                              f"{self.data_format.frac_bits} fraction bits")
        if not self.layers:
            raise ConfigError("layers: at least one layer is needed")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, LayerConfig):
                raise ConfigError(f"layers[{i}]: must be a LayerConfig (filters, kernel_size, dilation), got {layer!r}")
        covered = 1  # consecutive past samples the layers so far already see
        gaps = []
        for i, layer in enumerate(self.layers):
            where = f"layers[{i}]"
            for name in ("filters", "kernel_size", "dilation"):
                value = getattr(layer, name)
                if not is_integer(value) or value < 1:
                    raise ConfigError(f"{where}.{name}: must be a positive integer, got {value!r}")
            if layer.kernel_size == 1 and layer.dilation != 1:
                raise ConfigError(
                    f"{where}.dilation: a kernel of size 1 has no taps to spread, so the dilation must "
                    f"be 1, got {layer.dilation}")
            if layer.dilation > covered and layer.kernel_size > 1:
                gaps.append((where, layer.dilation, covered))
            covered += layer.history
        if self.layers[-1].filters < 1:
            raise ConfigError("layers[-1].filters: the network needs at least one output")
        if self.lookahead >= self.receptive_field:
            raise ConfigError(f"lookahead: {self.lookahead} samples reach beyond the receptive field "
                              f"({self.receptive_field} samples): the network would not see the core it plays")
        for where, dilation, covered in gaps:
            warnings.warn(
                f"{where}.dilation: {dilation} leaves gaps in the receptive field: the layers before it cover "
                f"{covered} consecutive sample(s), so with a dilation above {covered} the output depends on "
                f"only some of the last {self.receptive_field} input samples", ReceptiveFieldGapWarning,
                stacklevel=4)

    # -- derived figures --------------------------------------------------------------------------

    @property
    def n_inputs(self) -> int:
        return len(self.inputs)

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].filters

    def in_channels(self, index: int) -> int:
        """Input channels of layer ``index``."""
        return self.n_inputs if index == 0 else self.layers[index - 1].filters

    @property
    def receptive_field(self) -> int:
        """Samples of input history one output depends on (current sample included)."""
        return 1 + sum(layer.history for layer in self.layers)

    def layer_macs(self, index: int) -> int:
        layer = self.layers[index]
        return layer.kernel_size * self.in_channels(index) * layer.filters

    def layer_params(self, index: int) -> int:
        return self.layer_macs(index) + self.layers[index].filters

    @property
    def macs_per_sample(self) -> int:
        return sum(self.layer_macs(i) for i in range(len(self.layers)))

    @property
    def params(self) -> int:
        return sum(self.layer_params(i) for i in range(len(self.layers)))

    def reduction_length(self, index: int) -> int:
        """Products summed into one output of layer ``index``: kernel_size * in_channels."""
        return self.layers[index].kernel_size * self.in_channels(index)

    @property
    def product_frac_bits(self) -> int:
        """Fraction bits of a full-width product and of the accumulator."""
        return self.weight_format.frac_bits + self.data_format.frac_bits

    @property
    def requant_shift(self) -> int:
        """Right shift that takes the accumulator back to ``data_format``."""
        return self.weight_format.frac_bits

    def has_relu(self, index: int) -> bool:
        """Whether layer ``index`` ends in a ReLU: every layer but the last, the last one linear
        (docs/arithmetic.md)."""
        return index < len(self.layers) - 1 and self.activation == "relu"

    def accumulator_bits(self, index: int) -> int:
        """Signed accumulator width for layer ``index`` such that no sum can overflow.

        The extremes are summed exactly: every product at its most negative and most positive value,
        the bias aligned to the product scale, and the rounding constant (docs/arithmetic.md).
        """
        w, d = self.weight_format, self.data_format
        corners = [a * b for a in (w.min_int, w.max_int) for b in (d.min_int, d.max_int)]
        n = self.reduction_length(index)
        shift = self.requant_shift
        rounding_const = (1 << (shift - 1)) if shift > 0 else 0
        # the bias has the weights' fraction bits; the product scale has data.frac_bits more
        lo = n * min(corners) + (w.min_int << d.frac_bits)
        hi = n * max(corners) + (w.max_int << d.frac_bits) + rounding_const
        bits = 1
        while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
            bits += 1
        return bits

    @property
    def max_accumulator_bits(self) -> int:
        return max(self.accumulator_bits(i) for i in range(len(self.layers)))

    # -- (de)serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["layers"] = [dataclasses.asdict(layer) for layer in self.layers]
        data["inputs"] = list(self.inputs)
        return data

    def summary(self) -> dict[str, Any]:
        """The config plus its derived figures, for reports."""
        return {
            **self.to_dict(),
            "receptive_field": self.receptive_field,
            "params": self.params,
            "macs_per_sample": self.macs_per_sample,
            "accumulator_bits": [self.accumulator_bits(i) for i in range(len(self.layers))],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        if not isinstance(data, dict):
            raise ConfigError(f"a config must be a table (a JSON object) of fields, got {type(data).__name__}")
        data = dict(data)
        known = {f.name for f in dataclasses.fields(cls)}
        derived = {"receptive_field", "params", "macs_per_sample", "accumulator_bits"}
        unknown = set(data) - known - derived
        if unknown:
            raise ConfigError(f"{sorted(unknown)[0]}: unknown config field (known: {sorted(known)})")
        for key in derived:
            data.pop(key, None)
        if "layers" not in data:
            raise ConfigError("layers: missing; give at least one [[layers]] table")
        if not isinstance(data["layers"], list):
            raise ConfigError(f"layers: must be a list of [[layers]] tables, got {data['layers']!r}")
        layers = []
        for i, layer in enumerate(data["layers"]):
            if not isinstance(layer, dict):
                raise ConfigError(f"layers[{i}]: must be a table with filters, kernel_size, dilation")
            extra = set(layer) - {"filters", "kernel_size", "dilation"}
            if extra:
                raise ConfigError(f"layers[{i}].{sorted(extra)[0]}: unknown layer field")
            if "filters" not in layer:
                raise ConfigError(f"layers[{i}].filters: missing")
            layers.append(LayerConfig(**layer))
        data["layers"] = layers
        if "front_end" in data:
            value = data["front_end"]
            known_fe = {f.name for f in dataclasses.fields(FrontEndConfig)}
            if not isinstance(value, dict) or set(value) - known_fe:
                raise ConfigError(f"front_end: must be a table with {', '.join(sorted(known_fe))}, got {value!r}")
            data["front_end"] = FrontEndConfig(**value)
        for fmt in ("weight_format", "data_format"):
            if fmt in data:
                value = data[fmt]
                if not isinstance(value, dict) or set(value) - {"width", "frac_bits"}:
                    raise ConfigError(f"{fmt}: must be a table with width and frac_bits, got {value!r}")
                data[fmt] = FixedFormat(**value)
        try:
            return cls(**data)
        except TypeError as exc:  # wrong types that dataclass construction itself rejects
            raise ConfigError(str(exc)) from exc

    def to_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.summary(), indent=2) + "\n")

    @classmethod
    def from_json(cls, path: str | Path) -> ModelConfig:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> ModelConfig:
        return dataclasses.replace(self, **changes)


def rounding_constant(config: ModelConfig) -> int:
    """``R`` of docs/arithmetic.md: added to the accumulator before the requantization shift (0 for floor
    and half_even, half an output LSB for half_up). The golden model adds it to the aligned bias, and the
    hardware folds it into the bias the same way."""
    if config.rounding == "half_up" and config.requant_shift > 0:
        return 1 << (config.requant_shift - 1)
    return 0


def read_toml_table(path: str | Path, table: str) -> dict[str, Any]:
    """One table (e.g. ``train``) of a config TOML file, empty if absent."""
    with open(path, "rb") as f:
        return dict(tomllib.load(f).get(table, {}))


def load_config(path: str | Path) -> ModelConfig:
    """Read a :class:`ModelConfig` from TOML (top-level keys) or JSON (as written by ``to_json``).

    Tables other than the model's own (``[train]``, ``[data]``) belong to the stages that use them.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist" if not path.exists() else f"{path}: not a file")
    if path.suffix == ".json":
        return ModelConfig.from_json(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    for stage_table in ("train", "data"):
        data.pop(stage_table, None)
    return ModelConfig.from_dict(data)
