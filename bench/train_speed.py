"""``train_speed``: what the float twin's ``CausalConv1D`` saves per training epoch, against Keras' ``Conv1D``.

``make train`` spends nearly all its time in the float pre-training, and on 2 CPU cores most of an epoch
goes into the convolutions' backward passes. ``train/causal_conv.py`` computes Keras' causal dilated
``Conv1D`` arranged for a CPU. This entry trains both forms of each shipped config's float twin, starting
from the same weights, on the same random windows of the config's own length, and reports the median
seconds per epoch of each, their ratio, and the largest difference between the two networks' outputs
(float32 rounding only: the arithmetic is the same).

The two forms alternate (Keras first, then ours, then ours, then Keras) so that a machine that speeds up
or slows down during the run favours neither; the first epoch of each fit traces the graph and is left out.
"""

from __future__ import annotations

import time

import numpy as np

from common.config import ModelConfig, load_config

from .registry import bench

__all__ = ["keras_twin", "epoch_seconds", "train_speed"]

#: The configs measured and the samples per epoch of random windows (the ECPIX-5's epoch is cut to a
#: quarter of the others' so that the entry stays within minutes; seconds per epoch scale with it).
CONFIGS = {"default": 2**21, "colorlight_i5": 2**21, "ecpix5": 2**19}
EPOCHS = 4


def keras_twin(twin):
    """A copy of the float twin ``twin`` (``build_model(quantized=False)``) with Keras' own causal ``Conv1D`` in
    place of each ``CausalConv1D``: the same stack, names and weights, only the convolutions' arrangement
    differs."""
    import tensorflow as tf

    from train.causal_conv import CausalConv1D

    def clone(layer):
        if isinstance(layer, CausalConv1D):
            return tf.keras.layers.Conv1D(layer.filters, layer.kernel_size, dilation_rate=layer.dilation_rate,
                                          padding="causal", name=layer.name)
        return layer.__class__.from_config(layer.get_config())

    keras = tf.keras.models.clone_model(twin, clone_function=clone)
    keras.set_weights(twin.get_weights())
    return keras


def epoch_seconds(model, x: np.ndarray, y: np.ndarray, receptive_field: int, epochs: int = EPOCHS) -> list[float]:
    """Seconds of each epoch after the first of one ``fit`` (Adam, the training loss, batch 64)."""
    import tensorflow as tf

    from train.fit import warmup_mse

    class Clock(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    seconds: list[float] = []
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=warmup_mse(receptive_field))
    model.fit(x, y, batch_size=64, epochs=epochs, shuffle=True, verbose=0, callbacks=[Clock()])
    return seconds[1:]


def measure(config: ModelConfig, samples: int, window: int, seed: int = 0, epochs: int = EPOCHS) -> dict:
    """Median epoch seconds of both forms of ``config``'s float twin on ``samples`` random samples."""
    from train.fit import set_seeds
    from train.model import build_model

    set_seeds(seed)
    rng = np.random.default_rng(seed)
    windows = max(1, samples // window)
    x = rng.uniform(-1, 1, (windows, window, config.n_inputs)).astype(np.float32)
    y = rng.uniform(-1, 1, (windows, window, 1)).astype(np.float32)
    ours = build_model(config, quantized=False)
    keras = keras_twin(ours)
    difference = float(np.max(np.abs(ours.predict(x[:4], verbose=0) - keras.predict(x[:4], verbose=0))))
    times = {"keras": [], "causal_conv": []}
    for name in ("keras", "causal_conv", "causal_conv", "keras"):
        model = keras if name == "keras" else ours
        times[name] += epoch_seconds(model, x, y, config.receptive_field, epochs)
    keras_s, ours_s = (float(np.median(times[name])) for name in ("keras", "causal_conv"))
    return {"windows": windows, "window": window, "keras_conv1d_s_per_epoch": keras_s,
            "causal_conv_s_per_epoch": ours_s, "speedup": keras_s / ours_s, "max_output_difference": difference}


@bench("train_speed")
def train_speed() -> dict:
    """Seconds per float-training epoch with CausalConv1D against Keras' Conv1D, per shipped config."""
    from train.settings import load_settings

    result = {}
    for name, samples in CONFIGS.items():
        path = f"configs/{name}.toml"
        row = measure(load_config(path), samples, load_settings(path, None).window)
        print(f"  {name}: {row['windows']} windows of {row['window']}: Conv1D {row['keras_conv1d_s_per_epoch']:.2f} s, "
              f"CausalConv1D {row['causal_conv_s_per_epoch']:.2f} s an epoch ({row['speedup']:.2f}x), outputs "
              f"within {row['max_output_difference']:.1e}", flush=True)
        result[name] = row
    return result
