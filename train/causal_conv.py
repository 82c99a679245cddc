"""``CausalConv1D``: the float twin's causal dilated convolution, arranged the way 2 CPU cores train it fastest.

It computes exactly what Keras' ``Conv1D(padding="causal", dilation_rate=d)`` computes, with the same
weights (kernel ``(K, Cin, F)``, bias ``(F,)``), so the float twin and the QKeras model still swap weights
layer by layer::

    y[t, f] = bias[f] + sum_j sum_c kernel[j, c, f] * x[t - (K-1-j) d, c]     (x[negative] = 0)

Keras runs a dilated convolution as ``space_to_batch_nd`` -> convolution -> ``batch_to_space_nd``, and on a
CPU that pair and its gradient cost about as much as the convolution itself (a 16-to-16, K=4 layer on a
batch of 64 x 1024 samples, forward and backward: 21 ms at dilation 4, 13 ms undilated). This layer takes
the cheapest of three equivalent arrangements instead:

* **one output** (the network's last layer): one matrix product gives every tap's contribution at every
  sample, ``z[t, j] = sum_c kernel[j, c, 0] x[t, c]``, and ``K`` shifted slices of ``z`` add them up. The
  product is a plain GEMM and the shifts move ``K`` numbers per sample instead of ``K * Cin``;
* **dilated** (``d > 1``): the time axis is split into its ``d`` phases with a reshape and a transpose, so
  the convolution runs undilated over each phase (sample ``t = m d + r`` is phase ``r``, position ``m``);
* **undilated**: causal zero padding and a ``VALID`` convolution.

The float sums are ordered differently from Keras' (float32 rounding only: ``train/tests/test_causal_conv.py``
checks outputs and gradients against ``Conv1D``). The measured epoch times are in ``docs/sound.md``
("Training time").
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["CausalConv1D"]


class CausalConv1D(tf.keras.layers.Layer):
    """A causal dilated Conv1D over ``(batch, time, channels)``, weights laid out as Keras' ``Conv1D``."""

    def __init__(self, filters: int, kernel_size: int, dilation_rate: int = 1, kernel_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.dilation_rate = int(filters), int(kernel_size), int(dilation_rate)
        self.kernel_regularizer = tf.keras.regularizers.get(kernel_regularizer)

    def build(self, input_shape):
        self.channels = int(input_shape[-1])
        self.kernel = self.add_weight(name="kernel", shape=(self.kernel_size, self.channels, self.filters),
                                      initializer="glorot_uniform", regularizer=self.kernel_regularizer)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        super().build(input_shape)

    @property
    def history(self) -> int:
        """Samples of past input each output needs beyond its own: ``(K - 1) d``."""
        return (self.kernel_size - 1) * self.dilation_rate

    def call(self, x):
        if self.filters == 1:
            y = self._shifted_taps(x)
        elif self.dilation_rate == 1:
            y = tf.nn.conv1d(tf.pad(x, [[0, 0], [self.history, 0], [0, 0]]), self.kernel, 1, "VALID")
        else:
            y = self._phase_split(x)
        return y + self.bias

    def _shifted_taps(self, x):
        k, d = self.kernel_size, self.dilation_rate
        shape = tf.shape(x)
        taps = tf.reshape(tf.transpose(self.kernel, (1, 0, 2)), (self.channels, k * self.filters))
        z = tf.reshape(tf.matmul(tf.reshape(x, (-1, self.channels)), taps), (shape[0], shape[1], k, self.filters))
        z = tf.pad(z, [[0, 0], [self.history, 0], [0, 0], [0, 0]])
        y = z[:, self.history:, k - 1, :]  # tap K-1 reads the current sample
        for j in range(k - 1):
            y = y + z[:, j * d:j * d + shape[1], j, :]
        return y

    def _phase_split(self, x):
        k, d = self.kernel_size, self.dilation_rate
        shape = tf.shape(x)
        batch, time = shape[0], shape[1]
        tail = tf.math.floormod(-(time + self.history), d)  # pad the end to whole rows of d phases
        padded = tf.pad(x, [[0, 0], [self.history, tail], [0, 0]])
        rows = (time + self.history + tail) // d
        phases = tf.reshape(tf.transpose(tf.reshape(padded, (batch, rows, d, self.channels)), (0, 2, 1, 3)),
                            (batch * d, rows, self.channels))
        y = tf.nn.conv1d(phases, self.kernel, 1, "VALID")
        y = tf.reshape(tf.transpose(tf.reshape(y, (batch, d, rows - k + 1, self.filters)), (0, 2, 1, 3)),
                       (batch, (rows - k + 1) * d, self.filters))
        return y[:, :time, :]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "dilation_rate": self.dilation_rate,
                "kernel_regularizer": tf.keras.regularizers.serialize(self.kernel_regularizer)
                if self.kernel_regularizer is not None else None}
