"""The training recipe: float pre-training, then quantization-aware fine-tuning, on a warm-up-free MSE.

1. **Float pre-training** (``epochs``): the float twin (same layers, no quantizers) with Adam and a
   cosine learning-rate decay from ``learning_rate`` to ``final_lr_fraction`` of it. Float training is
   several times faster per epoch than QKeras' quantized graph, and a decaying rate lets it settle into
   the fine detail (edge timing) that a constant rate keeps shaking loose.
2. **Quantization-aware fine-tuning** (``qat_epochs``): the QKeras model (FP4.12 quantizers on every
   tensor, ``train/model.py``) starts from the float weights and trains on with a small, decaying rate,
   so the network adapts to the rounding it will really see.

In each phase the weights of the validated epoch with the lowest validation loss are kept. A cosine decay
reaches its lowest validation loss in its last few epochs (epoch 294 of the default's 300, 296 of the
25F's), so the float pre-training validates every ``VALIDATE_EVERY``-th epoch until the last
``DENSE_VALIDATION`` of it and every epoch from there (:func:`validation_epochs`): the same weights are
kept with 85 validation passes instead of 300, each of which costs about 8 % of an epoch. The first
``receptive_field - 1`` outputs of a window see the causal zero padding instead of real history (the
hardware never does, its caches run continuously), so they are left out of the loss and of every metric.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from common.config import ModelConfig
from train.dataset import Split
from train.settings import TrainSettings

__all__ = ["set_seeds", "warmup_mse", "weighted_warmup_mse", "sample_weights", "weighted_targets", "train_model",
           "float_twin", "grow_into", "validation_epochs"]

#: Before the last :data:`DENSE_VALIDATION` of a phase, validate every this many epochs (and the first) ...
VALIDATE_EVERY = 10
#: ... and every epoch of this last fraction of it, where a cosine decay finds its lowest validation loss.
DENSE_VALIDATION = 0.2


def validation_epochs(epochs: int) -> list[int]:
    """The epochs (1-based, as Keras' ``validation_freq`` counts them) whose validation loss is measured:
    the first, every :data:`VALIDATE_EVERY`-th, and each of the last :data:`DENSE_VALIDATION` of them."""
    dense_from = epochs - int(np.ceil(epochs * DENSE_VALIDATION))
    return sorted({1, *range(VALIDATE_EVERY, epochs + 1, VALIDATE_EVERY), *range(dense_from + 1, epochs + 1)})


def set_seeds(seed: int) -> None:
    """Python, numpy and TensorFlow in one call."""
    import tensorflow as tf

    tf.keras.utils.set_random_seed(seed)


def warmup_mse(receptive_field: int):
    """MSE over every output that has a full receptive field of real input."""
    import tensorflow as tf

    skip = receptive_field - 1

    def loss(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true[:, skip:, :] - y_pred[:, skip:, :]))

    loss.__name__ = "warmup_mse"
    return loss


def weighted_warmup_mse(receptive_field: int):
    """:func:`warmup_mse` with a weight per output sample. The target carries its weights as one more channel
    (:func:`weighted_targets`), which keeps Keras' batching, shuffling and validation unchanged; with every
    weight 1.0 the loss is :func:`warmup_mse`'s to the bit."""
    import tensorflow as tf

    skip = receptive_field - 1

    def loss(y_true, y_pred):
        target, weight = y_true[:, skip:, :-1], y_true[:, skip:, -1:]
        return tf.reduce_mean(weight * tf.square(target - y_pred[:, skip:, :]))

    loss.__name__ = "weighted_warmup_mse"
    return loss


def sample_weights(split: Split, settings: TrainSettings) -> np.ndarray:
    """Each output sample's weight in the loss, (windows, samples): ``high_band_weight`` where the core is
    at or above ``high_band_hz``, 1.0 elsewhere, and 1.0 throughout for recordings (no frequency track)."""
    weights = np.ones(split.y.shape[:2], dtype=np.float32)
    if split.freq is not None:
        weights[split.freq >= settings.high_band_hz] = settings.high_band_weight
    return weights


def weighted_targets(split: Split, settings: TrainSettings) -> np.ndarray:
    """The targets with :func:`sample_weights` as a last channel, for :func:`weighted_warmup_mse`."""
    return np.concatenate([split.y, sample_weights(split, settings)[..., None]], axis=-1)


def _callbacks(phase: str, epochs: int, steps: int, progress: bool, checkpoint: Path | None):
    import tensorflow as tf
    from tqdm import tqdm

    class BestWeights(tf.keras.callbacks.Callback):
        """Keeps the weights of the validated epoch with the lowest validation loss and restores them at the
        end; records every epoch's losses (NaN for the validation loss of an epoch not validated)."""

        def __init__(self):
            super().__init__()
            self.best, self.best_epoch, self.weights = np.inf, -1, None
            self.history = {"loss": [], "val_loss": []}

        def on_epoch_end(self, epoch, logs=None):
            val_loss = logs.get("val_loss", np.nan)
            self.history["loss"].append(float(logs["loss"]))
            self.history["val_loss"].append(float(val_loss))
            if val_loss < self.best:
                self.best, self.best_epoch, self.weights = val_loss, epoch, self.model.get_weights()

        def on_train_end(self, logs=None):
            if self.weights is not None:
                self.model.set_weights(self.weights)

    class Progress(tf.keras.callbacks.Callback):
        """One tqdm bar per phase, advanced per epoch with the latest losses (a line per update in a log,
        so it advances by epoch, never by batch)."""

        def on_train_begin(self, logs=None):
            self.val = "-"
            self.bar = tqdm(total=epochs, desc=phase, unit="epoch", disable=not progress, mininterval=5.0)

        def on_epoch_end(self, epoch, logs=None):
            if "val_loss" in logs:
                self.val = f"{logs['val_loss']:.3g}"
            self.bar.set_postfix(loss=f"{logs['loss']:.3g}", val=self.val, refresh=False)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    best = BestWeights()
    callbacks = [best, Progress()]
    if checkpoint is not None:
        callbacks.append(tf.keras.callbacks.ModelCheckpoint(str(checkpoint), monitor="val_loss", save_best_only=True))
    return best, callbacks


def _fit(model, config: ModelConfig, settings: TrainSettings, data: dict[str, tuple[np.ndarray, np.ndarray]], *,
         phase: str, epochs: int, learning_rate: float, progress: bool, checkpoint: Path | None = None,
         sparse_validation: bool = False):
    """One phase on ``data``'s ``train`` and ``val`` pairs of (inputs, :func:`weighted_targets`): Adam with a
    cosine decay over ``epochs``, validated each epoch or, with ``sparse_validation``, on
    :func:`validation_epochs`; returns (history dict of every epoch's ``loss`` and ``val_loss``, NaN where not
    validated; best epoch index)."""
    import tensorflow as tf

    (train_x, train_y), val = data["train"], data["val"]
    steps = int(np.ceil(len(train_x) / settings.batch_size))
    schedule = tf.keras.optimizers.schedules.CosineDecay(learning_rate, epochs * steps,
                                                         alpha=settings.final_lr_fraction)
    model.compile(optimizer=tf.keras.optimizers.Adam(schedule), loss=weighted_warmup_mse(config.receptive_field))
    best, callbacks = _callbacks(phase, epochs, steps, progress, checkpoint)
    with warnings.catch_warnings():  # the checkpoint's "HDF5 is legacy" notice: .h5 is deliberate here
        warnings.filterwarnings("ignore", message=".*HDF5 file.*")
        warnings.filterwarnings("ignore", message=".*constraints.serialize.*")  # QKeras quantizers; harmless
        model.fit(train_x, train_y, batch_size=settings.batch_size, epochs=epochs, validation_data=val,
                  validation_freq=validation_epochs(epochs) if sparse_validation else 1, shuffle=True, verbose=0,
                  callbacks=callbacks)
    return best.history, best.best_epoch


def grow_into(twin, config: ModelConfig, init_from: Path, x: np.ndarray) -> dict:
    """Start the float model ``twin`` from the trained network in ``init_from``, grown without changing its
    function (``train/grow.py``); returns what the report records of it, with the largest difference
    between the two networks' outputs on the network inputs ``x`` (float32 rounding only)."""
    from train.artifacts import load_trained
    from train.grow import grown_weights

    small, small_config = load_trained(init_from)
    small = float_twin(small_config, small)
    layers = range(len(config.layers))
    small_weights = [small.get_layer(f"conv{i}").get_weights() for i in range(len(small_config.layers))]
    fresh = [twin.get_layer(f"conv{i}").get_weights() for i in layers]
    grown = grown_weights(small_config, small_weights, config, fresh)
    for i in layers:
        twin.get_layer(f"conv{i}").set_weights(list(grown[i]))
    skip = config.receptive_field - 1
    difference = np.max(np.abs(twin.predict(x, verbose=0)[:, skip:] - small.predict(x, verbose=0)[:, skip:]))
    return {"from": str(init_from), "config": small_config.name, "params": small_config.params,
            "max_output_difference": float(difference)}


def train_model(config: ModelConfig, settings: TrainSettings, splits: dict[str, Split], out: Path,
                progress: bool = True, init_from: Path | None = None):
    """The whole recipe; returns (QKeras model with the best fine-tuned weights, history dict with
    ``loss``/``val_loss`` over both phases and ``phase`` per epoch, best epoch index in that history,
    fit seconds, and what :func:`grow_into` reports when ``init_from`` names a trained smaller network to
    start from). Writes ``history.csv`` and the best ``model.h5`` checkpoint of the fine-tuning."""
    from train.model import build_model

    set_seeds(settings.seed)
    start = time.perf_counter()
    twin = build_model(config, quantized=False, l2=settings.l2)
    grown = None if init_from is None else grow_into(twin, config, init_from, splits["val"].x[:8])
    # the weighted targets once, for both phases
    data = {name: (splits[name].x, weighted_targets(splits[name], settings)) for name in ("train", "val")}
    pre, _ = _fit(twin, config, settings, data, phase="float pre-training", epochs=settings.epochs,
                  learning_rate=settings.learning_rate, progress=progress, sparse_validation=True)
    model = build_model(config, quantized=True, l2=settings.l2)
    for i in range(len(config.layers)):
        model.get_layer(f"conv{i}").set_weights(twin.get_layer(f"conv{i}").get_weights())
    history = {"loss": list(pre["loss"]), "val_loss": list(pre["val_loss"]), "phase": ["float"] * len(pre["loss"])}
    best_epoch = int(np.nanargmin(history["val_loss"]))
    if settings.qat_epochs:
        qat, qat_best = _fit(model, config, settings, data, phase="quantization-aware fine-tuning",
                             epochs=settings.qat_epochs, learning_rate=settings.qat_learning_rate,
                             progress=progress, checkpoint=out / "model.h5")
        best_epoch = len(history["loss"]) + qat_best
        history["loss"] += list(qat["loss"])
        history["val_loss"] += list(qat["val_loss"])
        history["phase"] += ["quantized"] * len(qat["loss"])
    seconds = time.perf_counter() - start
    _write_history(history, out / "history.csv")
    return model, history, best_epoch, seconds, grown


def _write_history(history: dict, path: Path) -> None:
    lines = ["epoch,phase,loss,val_loss"]
    for i, (phase, loss, val) in enumerate(zip(history["phase"], history["loss"], history["val_loss"], strict=True)):
        lines.append(f"{i + 1},{phase},{loss:.8g},{'' if np.isnan(val) else f'{val:.8g}'}")  # empty: not validated
    path.write_text("\n".join(lines) + "\n")


def float_twin(config: ModelConfig, model):
    """The same network without quantizers (``build_model(quantized=False)``), carrying the trained
    float weights (QKeras' shadow weights, before quantization): how much the FP4.12 arithmetic costs."""
    from train.model import build_model

    twin = build_model(config, quantized=False)
    for i in range(len(config.layers)):
        twin.get_layer(f"conv{i}").set_weights(model.get_layer(f"conv{i}").get_weights())
    return twin
