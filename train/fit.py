"""The training loop: Adam on a warm-up-free MSE, early stopping, best checkpoint, CSV log, fixed seeds.

The first ``receptive_field - 1`` outputs of a window see the causal zero padding instead of real history
(the hardware never does, its caches run continuously), so they are left out of the loss and of every
metric.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np

from common.config import ModelConfig
from train.dataset import Split
from train.settings import TrainSettings

__all__ = ["set_seeds", "warmup_mse", "train_model", "float_twin"]


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


def _callbacks(out: Path, settings: TrainSettings, epochs: int, steps: int, progress: bool):
    import tensorflow as tf
    from tqdm import tqdm

    class BestWeights(tf.keras.callbacks.Callback):
        """Keeps the weights of the epoch with the lowest validation loss (restored at the end whether
        or not early stopping fired; Keras' own EarlyStopping restores only when it stops early)."""

        def __init__(self):
            super().__init__()
            self.best, self.best_epoch, self.weights = np.inf, -1, None

        def on_epoch_end(self, epoch, logs=None):
            if logs["val_loss"] < self.best:
                self.best, self.best_epoch, self.weights = logs["val_loss"], epoch, self.model.get_weights()

        def on_train_end(self, logs=None):
            if self.weights is not None:
                self.model.set_weights(self.weights)

    class Progress(tf.keras.callbacks.Callback):
        """One tqdm bar over all batches of all epochs, with the latest losses."""

        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=epochs * steps, desc="training", unit="batch", disable=not progress)

        def on_train_batch_end(self, batch, logs=None):
            self.bar.update(1)

        def on_epoch_end(self, epoch, logs=None):
            self.bar.set_postfix(epoch=epoch + 1, loss=f"{logs['loss']:.3g}", val=f"{logs['val_loss']:.3g}")

        def on_train_end(self, logs=None):
            self.bar.close()

    best = BestWeights()
    return best, [
        best,
        Progress(),
        tf.keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=settings.lr_patience,
                                             min_lr=settings.learning_rate / 64),
        tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience),
        tf.keras.callbacks.ModelCheckpoint(str(out / "model.h5"), monitor="val_loss", save_best_only=True),
        tf.keras.callbacks.CSVLogger(str(out / "history.csv")),
    ]


def train_model(config: ModelConfig, settings: TrainSettings, splits: dict[str, Split], out: Path,
                epochs: int | None = None, progress: bool = True):
    """Train the QKeras model; returns (model with the best validation weights, history dict,
    best epoch index, fit seconds). Writes ``history.csv`` and the best ``model.h5`` checkpoint."""
    import tensorflow as tf

    from train.model import build_model

    set_seeds(settings.seed)
    model = build_model(config, l2=settings.l2)
    model.compile(optimizer=tf.keras.optimizers.Adam(settings.learning_rate),
                  loss=warmup_mse(config.receptive_field))
    epochs = epochs or settings.epochs
    train, val = splits["train"], splits["val"]
    steps = int(np.ceil(len(train) / settings.batch_size))
    best, callbacks = _callbacks(out, settings, epochs, steps, progress)
    start = time.perf_counter()
    with warnings.catch_warnings():  # the checkpoint's "HDF5 is legacy" notice: .h5 is deliberate here
        warnings.filterwarnings("ignore", message=".*HDF5 file.*")
        warnings.filterwarnings("ignore", message=".*constraints.serialize.*")  # QKeras quantizers; harmless
        history = model.fit(train.x, train.y, batch_size=settings.batch_size, epochs=epochs,
                            validation_data=(val.x, val.y), shuffle=True, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    return model, history.history, best.best_epoch, seconds


def float_twin(config: ModelConfig, model):
    """The same network without quantizers (``build_model(quantized=False)``), carrying the trained
    float weights (QKeras' shadow weights, before quantization): how much the FP4.12 arithmetic costs."""
    from train.model import build_model

    twin = build_model(config, quantized=False)
    for i in range(len(config.layers)):
        twin.get_layer(f"conv{i}").set_weights(model.get_layer(f"conv{i}").get_weights())
    return twin
