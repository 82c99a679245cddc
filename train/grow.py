"""Growing a trained network into a larger one without changing what it computes, as a start for training.

A large network trained from random weights on 2 CPU cores spends most of its budget relearning what a
small network already knows. ``python -m train --init-from build/train`` instead starts the large float
model from the trained small one (Net2Net's function-preserving growth), so fine-tuning begins where the
small network ended:

* **Layers the two share** (the small network's hidden layers, same place, same dilation): the small
  kernel fills the newest taps of the large kernel (a longer kernel's extra, older taps are zero), for the
  small layer's input and output channels. **New channels start at zero:** every weight from a new input
  channel into an old output channel is zero, so the old outputs are unchanged. A new output channel keeps
  its random incoming weights (it must compute something for its outgoing weights to learn from), and
  its outgoing weights into old channels are the zero just described.
* **The small network's output layer**, when the large network goes on deeper, becomes a hidden layer with
  two channels carrying the output's positive and negative parts, ``relu(y)`` and ``relu(-y)`` (the same
  kernel and bias, negated for the second).
* **New layers start as identities** on those two channels: the newest tap passes channel c to channel c
  with weight 1.0 (a ReLU of a ReLU output changes nothing), and the large network's output layer takes
  ``relu(y) - relu(-y) = y``.

Every weight written here (the small network's, 0, +-1.0) lies on the FP4.12 grid, so the grown network's
golden-model output starts equal to the small one's. Growth needs the same inputs, front end, lookahead and
sample rate, and the same dilation wherever a small layer lands; anything else is refused by name before
any training.
"""

from __future__ import annotations

import numpy as np

from common.config import ConfigError, ModelConfig

__all__ = ["check_growth", "grown_weights"]

Weights = list[tuple[np.ndarray, np.ndarray]]


def check_growth(small: ModelConfig, big: ModelConfig) -> None:
    """Raise :class:`ConfigError` unless ``small`` grows into ``big`` as the module docstring describes."""
    where = f"--init-from: the trained network '{small.name}' cannot grow into '{big.name}'"
    for field in ("inputs", "lookahead", "sample_rate_hz", "front_end", "data_format", "weight_format"):
        if getattr(small, field) != getattr(big, field):
            raise ConfigError(f"{where}: their {field} differ ({getattr(small, field)!r} and {getattr(big, field)!r})")
    if len(big.layers) < len(small.layers):
        raise ConfigError(f"{where}: it has fewer layers ({len(big.layers)} < {len(small.layers)})")
    last = len(small.layers) - 1
    for i, (s, b) in enumerate(zip(small.layers, big.layers, strict=False)):
        if b.dilation != s.dilation or b.kernel_size < s.kernel_size:
            raise ConfigError(f"{where}: layer {i} must keep dilation {s.dilation} and at least "
                              f"{s.kernel_size} taps, it has dilation {b.dilation} and {b.kernel_size} taps")
        deeper = len(big.layers) > len(small.layers)
        need = (2 if deeper else 1) if i == last else s.filters
        if b.filters < need:
            raise ConfigError(f"{where}: layer {i} needs at least {need} filters, it has {b.filters}")
    for i in range(len(small.layers), len(big.layers) - 1):
        if big.layers[i].filters < 2:
            raise ConfigError(f"{where}: the new layer {i} needs at least 2 filters to pass the output on, it has "
                              f"{big.layers[i].filters}")


def _embed(target: np.ndarray, kernel: np.ndarray, out_channels: slice | int, sign: float = 1.0) -> None:
    """Write ``kernel`` (K, Cin, Cout) into the newest taps and first input channels of ``target``'s output
    channels ``out_channels``, zeroing every other weight into those outputs."""
    k, cin = kernel.shape[:2]
    target[:, :, out_channels] = 0.0
    target[target.shape[0] - k:, :cin, out_channels] = sign * kernel


def grown_weights(small: ModelConfig, small_weights: Weights, big: ModelConfig, big_weights: Weights) -> Weights:
    """The large network's weights (kernel (K, Cin, Cout) and bias per layer, as Keras' Conv1D holds them):
    ``big_weights`` (its fresh initialisation) with the small network grown in."""
    check_growth(small, big)
    out = [(np.array(kernel, dtype=np.float32), np.array(bias, dtype=np.float32)) for kernel, bias in big_weights]
    last = len(small.layers) - 1
    deeper = len(big.layers) > len(small.layers)
    for i, (kernel, bias) in enumerate(small_weights):
        target, target_bias = out[i]
        cout = kernel.shape[2]
        if i == last and deeper:
            _embed(target, kernel[:, :, 0], 0)
            _embed(target, kernel[:, :, 0], 1, -1.0)
            target_bias[:2] = (bias[0], -bias[0])
        else:
            _embed(target, kernel, slice(0, cout))
            target_bias[:cout] = bias
    for i in range(len(small.layers), len(big.layers)):
        target, target_bias = out[i]
        is_output = i == len(big.layers) - 1
        channels = 1 if is_output else 2
        target[:, :, :channels] = 0.0
        target_bias[:channels] = 0.0
        if is_output:
            target[-1, 0, 0], target[-1, 1, 0] = 1.0, -1.0
        else:
            target[-1, 0, 0], target[-1, 1, 1] = 1.0, 1.0
    return out
