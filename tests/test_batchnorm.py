"""Batch norm from scratch against numerical gradients, TensorFlow's autodiff and
keras.layers.BatchNormalization (same gamma/beta/moving statistics)."""

import numpy as np
import pytest

from dlcourse import batchnorm as bn
from dlcourse import checks


def _setup(shape, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[-1]
    x = rng.normal(2.0, 3.0, size=shape)
    gamma, beta = rng.normal(size=c), rng.normal(size=c)
    mean, var = rng.normal(size=c), rng.uniform(0.5, 2.0, size=c)
    return rng, x, gamma, beta, mean, var


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 5, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_numerical_gradient(shape, training):
    rng, x, gamma, beta, mean, var = _setup(shape)
    dout = rng.normal(size=shape)

    def loss(_):
        return np.sum(bn.batchnorm_forward(x, gamma, beta, mean, var, training)[0] * dout)

    _, cache, _ = bn.batchnorm_forward(x, gamma, beta, mean, var, training)
    dx, dgamma, dbeta = bn.batchnorm_backward(dout, cache)
    assert checks.rel_error(dx, checks.numerical_gradient(loss, x)) < 1e-7
    assert checks.rel_error(dgamma, checks.numerical_gradient(loss, gamma)) < 1e-7
    assert checks.rel_error(dbeta, checks.numerical_gradient(loss, beta)) < 1e-7
    if training:
        staged = bn.batchnorm_backward_staged(dout, cache)
        for a, b in zip(staged, (dx, dgamma, dbeta)):
            assert checks.rel_error(a, b) < 1e-10


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 3, 2)])
def test_forward_and_running_stats_match_keras(shape):
    import keras

    _, x, gamma, beta, mean, var = _setup(shape, seed=1)
    layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3, dtype="float64")
    layer.build(shape)
    layer.set_weights([gamma, beta, mean, var])
    for training in (False, True):
        ours, _, (new_mean, new_var) = bn.batchnorm_forward(
            x, gamma, beta, mean, var, training, momentum=0.9, epsilon=1e-3)
        theirs = np.asarray(layer(x, training=training))
        assert checks.rel_error(ours, theirs) < 1e-6
    # After the training call Keras has updated its moving statistics like we did.
    assert checks.rel_error(new_mean, np.asarray(layer.moving_mean)) < 1e-6
    assert checks.rel_error(new_var, np.asarray(layer.moving_variance)) < 1e-6


def test_training_output_is_normalised_per_feature():
    _, x, _, _, mean, var = _setup((50, 3))
    out, _, _ = bn.batchnorm_forward(x, np.ones(3), np.zeros(3), mean, var, True, epsilon=0.0)
    assert np.allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(out.std(axis=0), 1.0)


@pytest.mark.parametrize("shape", [(10, 3), (3, 4, 5, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_tensorflow_autodiff(shape, training):
    import tensorflow as tf

    rng, x, gamma, beta, mean, var = _setup(shape, seed=2)
    dout = rng.normal(size=x.shape)
    _, cache, _ = bn.batchnorm_forward(x, gamma, beta, mean, var, training)
    dx, dgamma, dbeta = bn.batchnorm_backward(dout, cache)
    xt, gt, bt = (tf.Variable(a) for a in (x, gamma, beta))
    with tf.GradientTape() as tape:
        if training:
            m, v = tf.nn.moments(xt, axes=list(range(len(shape) - 1)))
        else:
            m, v = tf.constant(mean), tf.constant(var)
        y = tf.nn.batch_normalization(xt, m, v, bt, gt, 1e-3)
        total = tf.reduce_sum(y * dout)
    for ours, theirs in zip((dx, dgamma, dbeta), tape.gradient(total, [xt, gt, bt])):
        assert checks.rel_error(ours, theirs.numpy()) < 1e-9


@pytest.mark.parametrize("shape", [(7, 4), (2, 3, 5, 3)])
def test_backward_matches_keras_layer_in_training_mode(shape):
    import keras
    import tensorflow as tf

    rng, x, gamma, beta, mean, var = _setup(shape, seed=3)
    dout = rng.normal(size=x.shape)
    layer = keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-2, dtype="float64")
    layer.build(shape)
    layer.set_weights([gamma, beta, mean, var])
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(layer(xt, training=True) * dout)
    dx_k, dgamma_k, dbeta_k = tape.gradient(total, [xt, layer.gamma.value, layer.beta.value])
    _, cache, _ = bn.batchnorm_forward(x, gamma, beta, mean, var, True, momentum=0.9, epsilon=1e-2)
    for ours, theirs in zip(bn.batchnorm_backward(dout, cache), (dx_k, dgamma_k, dbeta_k)):
        assert checks.rel_error(ours, np.asarray(theirs)) < 1e-9


def test_bad_parameter_shape_message():
    _, x, gamma, beta, mean, var = _setup((4, 3))
    with pytest.raises(ValueError, match="gamma should have shape"):
        bn.batchnorm_forward(x, gamma[:2], beta, mean, var, True)


def test_backward_bad_dout_shape_message():
    _, x, gamma, beta, mean, var = _setup((4, 3))
    _, cache, _ = bn.batchnorm_forward(x, gamma, beta, mean, var, True)
    with pytest.raises(ValueError, match="dout should have shape"):
        bn.batchnorm_backward(np.ones((3, 4)), cache)
