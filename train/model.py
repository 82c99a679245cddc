"""The QKeras model built from a :class:`~common.config.ModelConfig`.

Every tensor the hardware sees is quantized to its hardware format, so training already feels the
arithmetic of ``docs/arithmetic.md`` (up to QKeras' round-half-even, which that page discusses):

* inputs: ``quantized_bits(width, int_bits, 0, alpha=1)`` of ``data_format``;
* kernels and biases: ``quantized_bits(width, int_bits, 0, alpha=1)`` of ``weight_format``. ``alpha=1`` is
  mandatory: without it QConv1D silently swaps the kernel quantizer for a per-channel power-of-two scale
  that is not on the 2**-12 grid;
* hidden activations: ``quantized_relu(width-1, int_bits)``: unsigned, step 2**-frac, clipped to the
  largest positive ``data_format`` code;
* the linear output: ``quantized_bits`` of ``data_format`` again, so it saturates like the hardware.
"""

from __future__ import annotations

from common.config import FixedFormat, ModelConfig

__all__ = ["build_model", "signed_quantizer", "relu_quantizer"]


def signed_quantizer(fmt: FixedFormat):
    from qkeras import quantized_bits

    return quantized_bits(fmt.width, fmt.int_bits, 0, alpha=1)


def relu_quantizer(fmt: FixedFormat):
    from qkeras import quantized_relu

    return quantized_relu(fmt.width - 1, fmt.int_bits)


def build_model(config: ModelConfig, *, quantized: bool = True, l2: float = 0.0):
    """A causal dilated Conv1D stack over ``(batch, time, n_inputs)``; layer i is named ``conv{i}``.

    ``quantized=False`` gives the float twin with identical layer names and weight shapes, so weights
    can be copied between the two. Its convolutions are :class:`~train.causal_conv.CausalConv1D`: the
    same arithmetic as Keras' causal ``Conv1D``, arranged to train faster on a CPU."""
    import tensorflow as tf
    from qkeras import QActivation, QConv1D

    from train.causal_conv import CausalConv1D

    regularizer = tf.keras.regularizers.l2(l2) if l2 else None
    inputs = tf.keras.Input(shape=(None, config.n_inputs), name="inputs")
    x = inputs
    if quantized:
        x = QActivation(signed_quantizer(config.data_format), name="quant_in")(x)
    last = len(config.layers) - 1
    for i, lc in enumerate(config.layers):
        common = dict(filters=lc.filters, kernel_size=lc.kernel_size, dilation_rate=lc.dilation,
                      name=f"conv{i}", kernel_regularizer=regularizer)
        if quantized:
            x = QConv1D(padding="causal", kernel_quantizer=signed_quantizer(config.weight_format),
                        bias_quantizer=signed_quantizer(config.weight_format), **common)(x)
            if i < last:
                x = QActivation(relu_quantizer(config.data_format), name=f"act{i}")(x)
            else:
                x = QActivation(signed_quantizer(config.data_format), name="quant_out")(x)
        else:
            x = CausalConv1D(**common)(x)
            if i < last:
                x = tf.keras.layers.ReLU(name=f"act{i}")(x)
    return tf.keras.Model(inputs, x, name=config.name)
