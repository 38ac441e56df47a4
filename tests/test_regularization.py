"""Penalties against Keras's regularisers and numerical gradients, dropout in
expectation and against keras.layers.Dropout, early stopping against Keras's callback."""

import numpy as np
import pytest

from dlcourse import checks
from dlcourse import regularization as reg


def test_penalties_match_keras_and_gradients_are_right():
    import keras

    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    for ours, grad, keras_reg, strength in (
        (reg.l2_penalty, reg.l2_gradient, keras.regularizers.L2, 0.03),
        (reg.l1_penalty, reg.l1_gradient, keras.regularizers.L1, 0.02),
    ):
        expected = sum(float(keras_reg(strength)(w)) for w in weights)
        assert abs(ours(weights, strength) / expected - 1) < 1e-6
        for w, g in zip(weights, grad(weights, strength)):
            numeric = checks.numerical_gradient(lambda v: ours(v, strength), w.copy())
            assert checks.rel_error(g, numeric) < 1e-7


def test_decks_l2_is_keras_l2_with_lambda_over_2m():
    w = np.random.default_rng(1).normal(size=10)
    lam, m = 0.5, 200
    assert np.isclose(reg.l2_penalty(w, lam / (2 * m)), lam / (2 * m) * np.sum(w**2))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_both_dropouts_agree_with_test_time_in_expectation(rate):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5,)) + 1.0
    w = rng.normal(size=(5, 3))
    trials = 40000
    for inverted in (True, False):
        outs = np.array([reg.dropout_forward(x, rate, rng, True, inverted)[0] @ w
                         for _ in range(trials)])
        test_out = reg.dropout_forward(x, rate, training=False, inverted=inverted)[0] @ w
        standard_error = outs.std(axis=0) / np.sqrt(trials)
        assert np.all(np.abs(outs.mean(axis=0) - test_out) < 5 * standard_error), inverted


def test_decks_scaling_equals_scaling_the_weights():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=(4, 6)), rng.normal(size=(6, 2))
    out, _ = reg.dropout_forward(x, 0.5, training=False, inverted=False)
    assert np.allclose(out @ w, x @ (0.5 * w))  # "if w = 1 by training, set w = 0.5"


def test_inverted_dropout_matches_keras_values():
    import keras

    x = np.random.default_rng(4).uniform(1, 2, size=(200, 50))
    layer = keras.layers.Dropout(0.3, seed=1)
    theirs = np.asarray(layer(x, training=True))
    ours, mask = reg.dropout_forward(x, 0.3, np.random.default_rng(1), True)
    kept = theirs != 0
    assert np.allclose(theirs[kept], x[kept] / 0.7, rtol=1e-6)  # Keras scales by 1/(1-p)
    assert np.allclose(ours[mask], x[mask] / 0.7)
    assert abs(kept.mean() - mask.mean()) < 0.02  # both keep about 70%
    assert np.allclose(np.asarray(layer(x, training=False)), x)


def test_dropout_backward_matches_numerical_gradient():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 4))
    dout = rng.normal(size=(3, 4))
    _, mask = reg.dropout_forward(x, 0.4, np.random.default_rng(9), True)
    numeric = checks.numerical_gradient(
        lambda v: np.sum(reg.dropout_forward(v, 0.4, np.random.default_rng(9), True)[0] * dout), x)
    assert checks.rel_error(reg.dropout_backward(dout, mask, 0.4), numeric) < 1e-8


@pytest.mark.parametrize("rate", [0.25, 0.6])
def test_dropout_backward_matches_keras_dropout_autodiff(rate):
    """TensorFlow differentiates keras.layers.Dropout in training mode; its mask is where the
    output is not 0 (the inputs are never 0), and our backward with that mask must agree."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(6)
    x = rng.uniform(0.5, 2.0, size=(30, 7)) * rng.choice([-1, 1], size=(30, 7))
    dout = rng.normal(size=x.shape)
    xt = tf.Variable(x)
    with tf.GradientTape() as tape:
        out = keras.layers.Dropout(rate, seed=3, dtype="float64")(xt, training=True)
        total = tf.reduce_sum(out * dout)
    mask = out.numpy() != 0
    assert 0 < mask.mean() < 1
    ours = reg.dropout_backward(dout, mask, rate)
    assert checks.rel_error(ours, tape.gradient(total, xt).numpy()) < 1e-12
    assert checks.rel_error(reg.dropout_backward(dout, mask, rate, inverted=False), dout * mask) < 1e-12


def test_dropout_backward_bad_shape_message():
    with pytest.raises(ValueError, match="dout should have shape"):
        reg.dropout_backward(np.ones((2, 3)), np.ones((3, 2), dtype=bool), 0.5)


def test_dropout_bad_rate_message():
    with pytest.raises(ValueError, match="rate must be in"):
        reg.dropout_forward(np.ones(3), 1.0, np.random.default_rng(0))


def test_early_stopping_matches_keras_callback():
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    rng = np.random.default_rng(0)
    for trial in range(30):
        epochs = int(rng.integers(3, 25))
        losses = np.cumsum(rng.normal(-0.05, 0.2, size=epochs)) + 5
        patience = int(rng.integers(1, 5))
        min_delta = float(rng.choice([0.0, 0.05]))
        callback = keras.callbacks.EarlyStopping(patience=patience, min_delta=min_delta,
                                                 mode="min")
        callback.set_model(model)
        model.stop_training = False
        callback.on_train_begin()
        keras_stop = None
        for epoch, loss in enumerate(losses):
            callback.on_epoch_end(epoch, {"val_loss": float(loss)})
            if model.stop_training:
                keras_stop = epoch
                break
        assert reg.early_stopping(losses, patience, min_delta) == (keras_stop, callback.best_epoch)


@pytest.mark.parametrize("threshold", [0.0, 0.3, 2.0])
def test_l1_proximal_minimises_the_penalised_distance(threshold):
    """soft thresholding = argmin_u (u - w)^2 / 2 + threshold * |u|, found here by a fine search."""
    w = np.array([-2.5, -0.31, -0.1, 0.0, 0.05, 0.29, 1.7])
    grid = np.linspace(-3, 3, 600001)
    expected = [grid[np.argmin((grid - v) ** 2 / 2 + threshold * np.abs(grid))] for v in w]
    assert np.allclose(reg.l1_proximal(w, threshold), expected, atol=2e-5)
    assert np.all(reg.l1_proximal(w, threshold)[np.abs(w) <= threshold] == 0.0)


def test_l1_proximal_bad_threshold_message():
    with pytest.raises(ValueError, match="threshold must be >= 0"):
        reg.l1_proximal(np.ones(3), -0.1)


def test_max_norm_matches_keras_constraint():
    import keras

    rng = np.random.default_rng(3)
    W = rng.normal(size=(6, 5)) * np.array([0.1, 0.5, 1.0, 2.0, 4.0])  # some columns under, some over
    for max_value in (0.5, 2.0):
        theirs = np.asarray(keras.constraints.MaxNorm(max_value, axis=0)(keras.ops.convert_to_tensor(W)))
        assert checks.rel_error(reg.max_norm(W, max_value), theirs) < 1e-6  # Keras adds 1e-7 to the norm


def test_max_norm_projects_onto_the_ball():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(8, 6)) * rng.uniform(0.05, 3, size=6)
    out = reg.max_norm(W, 1.0)
    norms_before, norms_after = np.linalg.norm(W, axis=0), np.linalg.norm(out, axis=0)
    assert np.all(norms_after <= 1.0 + 1e-12)
    assert np.allclose(out[:, norms_before <= 1], W[:, norms_before <= 1])          # short columns untouched
    long = norms_before > 1
    assert np.allclose(norms_after[long], 1.0) and np.allclose(out[:, long] / norms_after[long],
                                                                W[:, long] / norms_before[long])  # same direction
    assert np.allclose(reg.max_norm(out, 1.0), out)                                   # a projection
    assert np.allclose(reg.max_norm(W, 1.0, axis=1), reg.max_norm(W.T, 1.0).T)
    assert np.all(reg.max_norm(np.zeros((3, 2)), 1.0) == 0.0)
    with pytest.raises(ValueError, match="max_value must be positive"):
        reg.max_norm(W, 0.0)
