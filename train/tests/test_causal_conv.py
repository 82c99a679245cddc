"""The float twin's ``CausalConv1D`` against Keras' own causal ``Conv1D``: outputs and gradients."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from train.causal_conv import CausalConv1D  # noqa: E402

# (channels in, filters, taps, dilation, samples): every arrangement of the layer (one output, undilated,
# dilated), with lengths that are and are not whole multiples of the dilation, and shorter than the history.
CASES = [
    (7, 16, 4, 1, 64), (16, 16, 4, 4, 64), (16, 16, 4, 4, 61), (16, 1, 4, 16, 64), (16, 1, 4, 16, 50),
    (5, 3, 3, 8, 7), (4, 1, 2, 64, 300), (3, 2, 5, 3, 1), (32, 32, 2, 2, 33),
]


def _pair(cin, filters, taps, dilation, seed):
    rng = np.random.default_rng(seed)
    ours = CausalConv1D(filters, taps, dilation)
    ours.build((None, None, cin))
    keras = tf.keras.layers.Conv1D(filters, taps, dilation_rate=dilation, padding="causal")
    keras.build((None, None, cin))
    weights = [rng.standard_normal((taps, cin, filters)).astype(np.float32),
               rng.standard_normal(filters).astype(np.float32)]
    ours.set_weights(weights)
    keras.set_weights(weights)
    return ours, keras, rng


@pytest.mark.parametrize("cin,filters,taps,dilation,samples", CASES)
def test_same_outputs_and_gradients_as_keras(cin, filters, taps, dilation, samples):
    ours, keras, rng = _pair(cin, filters, taps, dilation, seed=samples)
    x = tf.constant(rng.standard_normal((3, samples, cin)).astype(np.float32))
    target = tf.constant(rng.standard_normal((3, samples, filters)).astype(np.float32))
    results = []
    for layer in (ours, keras):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(tf.square(y - target))
        results.append([y.numpy(), *(g.numpy() for g in tape.gradient(loss, [x, *layer.trainable_variables]))])
    assert results[0][0].shape == (3, samples, filters)
    for name, a, b in zip(("output", "input gradient", "kernel gradient", "bias gradient"), *results, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(b).max()), err_msg=name)


def test_causal_the_future_changes_nothing():
    ours, _, rng = _pair(4, 1, 4, 16, seed=0)
    x = rng.standard_normal((1, 100, 4)).astype(np.float32)
    later = x.copy()
    later[:, 60:] += 1.0
    np.testing.assert_array_equal(ours(x).numpy()[:, :60], ours(later).numpy()[:, :60])
    assert not np.array_equal(ours(x).numpy()[:, 60], ours(later).numpy()[:, 60])


def test_weights_laid_out_as_keras_conv1d():
    ours = CausalConv1D(8, 3, 4, name="conv0")
    ours.build((None, None, 5))
    assert [w.shape for w in ours.get_weights()] == [(3, 5, 8), (8,)]
    assert CausalConv1D.from_config(ours.get_config()).dilation_rate == 4
