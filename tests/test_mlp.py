"""The from-scratch MLP: every backward pass against numerical gradients, layers and
losses against Keras, and the digits bar (>= 97 % test accuracy in under 10 s)."""

import numpy as np
import pytest

from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.data import load_digits_split
from dlcourse.mlp import (
    MLP, activation_backward, activation_forward, count_parameters, dense_backward,
    dense_forward, epoch_orders, gradient_check, mse_loss, softmax_cross_entropy,
)

SHAPES = [(1, 1, 1), (4, 3, 5), (7, 10, 2)]


@pytest.fixture(scope="module")
def keras():
    from dlcourse import runtime

    return runtime.setup_keras(0)


@pytest.mark.parametrize("n, d, h", SHAPES)
def test_dense_forward_matches_keras_dense_with_the_same_weights(keras, n, d, h):
    rng = np.random.default_rng(n + d + h)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
    layer = keras.layers.Dense(h, dtype="float64")
    layer.build((None, d))
    layer.set_weights([W, b])
    assert rel_error(dense_forward(X, W, b), keras.ops.convert_to_numpy(layer(X))) < 1e-12


@pytest.mark.parametrize("n, d, h", SHAPES)
def test_dense_backward_matches_numerical_gradients(n, d, h):
    rng = np.random.default_rng(10 * n + d)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
    upstream = rng.normal(size=(n, h))  # L = sum(out * upstream), so dL/dout = upstream

    def loss(_):
        return np.sum(dense_forward(X, W, b) * upstream)

    dX, dW, db = dense_backward(upstream, X, W)
    assert rel_error(dX, numerical_gradient(loss, X)) < 1e-7
    assert rel_error(dW, numerical_gradient(loss, W)) < 1e-7
    assert rel_error(db, numerical_gradient(loss, b)) < 1e-7


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_backward_matches_numerical_gradient_and_keras(keras, name):
    rng = np.random.default_rng(3)
    z = rng.uniform(0.1, 3.0, size=(5, 4)) * rng.choice([-1, 1], size=(5, 4))  # away from ReLU's kink
    upstream = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda v: np.sum(activation_forward(v, name) * upstream), z)
    assert rel_error(activation_backward(upstream, z, name), numeric) < 1e-7
    reference = keras.ops.convert_to_numpy(getattr(keras.activations, name)(z))
    assert rel_error(activation_forward(z, name), reference) < 1e-7


def test_softmax_cross_entropy_matches_keras_and_numerical_gradient(keras):
    rng = np.random.default_rng(5)
    logits, y = rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    loss, dlogits = softmax_cross_entropy(logits, y)
    reference = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(y, logits)
    assert rel_error(loss, keras.ops.convert_to_numpy(reference)) < 1e-10
    numeric = numerical_gradient(lambda v: softmax_cross_entropy(v, y)[0], logits)
    assert rel_error(dlogits, numeric) < 1e-7


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    from scipy.special import log_softmax

    logits = np.array([[1000.0, 0.0, -1000.0], [-500.0, 500.0, 499.0]])
    loss, dlogits = softmax_cross_entropy(logits, np.array([1, 2]))
    expected = -(log_softmax(logits, axis=1)[[0, 1], [1, 2]]).mean()
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    assert rel_error(loss, expected) < 1e-12


def test_mse_loss_gradient_matches_numerical_gradient():
    rng = np.random.default_rng(6)
    pred, target = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    numeric = numerical_gradient(lambda v: mse_loss(v, target)[0], pred)
    assert rel_error(mse_loss(pred, target)[1], numeric) < 1e-7


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("loss", ["softmax", "mse"])
def test_mlp_backprop_passes_the_gradient_check(activation, loss):
    rng = np.random.default_rng(7)
    mlp = MLP([5, 6, 4, 3], activation=activation, loss=loss, seed=1)
    X = rng.normal(size=(8, 5))
    y = rng.integers(0, 3, size=8) if loss == "softmax" else rng.normal(size=(8, 3))
    errors = gradient_check(mlp, X, y)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-7, errors


def test_gradient_check_catches_a_wrong_backward_pass():
    class Halved(MLP):
        def loss_and_grads(self, X, y):
            loss, grads = super().loss_and_grads(X, y)
            return loss, [(dW, db / 2) for dW, db in grads]

    rng = np.random.default_rng(8)
    errors = gradient_check(Halved([3, 4, 2], seed=0), rng.normal(size=(5, 3)), rng.integers(0, 2, 5))
    assert errors["b1"] > 0.1 and errors["b2"] > 0.1 and errors["W1"] < 1e-7


@pytest.mark.parametrize("sizes", [[3, 4, 2], [784, 500, 500, 10], [64, 128, 10]])
def test_count_parameters_matches_keras(keras, sizes):
    model = keras.Sequential([keras.Input((sizes[0],))] + [keras.layers.Dense(h) for h in sizes[1:]])
    assert count_parameters(sizes) == model.count_params()


def test_mlp_reaches_97_percent_on_digits_in_under_10_seconds_on_one_core():
    from threadpoolctl import threadpool_limits

    (x_train, y_train), (x_test, y_test) = load_digits_split()
    for seed in range(3):
        mlp = MLP([64, 128, 10], activation="relu", seed=seed)
        with threadpool_limits(1):
            history = mlp.fit(x_train, y_train, epochs=30, batch_size=32, learning_rate=0.1, seed=seed)
        assert mlp.accuracy(x_test, y_test) >= 0.97, f"seed {seed}"
        assert history["seconds"] < 10
        assert history["loss"][-1] < history["loss"][0] / 10


def test_training_matches_keras_sgd_with_momentum_step_for_step(keras):
    (x_train, y_train), _ = load_digits_split()
    x, y = x_train[:200], y_train[:200]
    mlp = MLP([64, 16, 10], seed=3)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10)])
    model.set_weights(mlp.keras_weights())
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    for order in epoch_orders(len(x), 2, seed=4):
        model.fit(x[order], y[order], epochs=1, batch_size=32, shuffle=False, verbose=0)
    mlp.fit(x, y, epochs=2, batch_size=32, learning_rate=0.05, momentum=0.9, seed=4)
    for ours, theirs in zip(mlp.keras_weights(), model.get_weights()):
        assert np.allclose(ours, theirs, rtol=1e-3, atol=1e-5)
    assert not np.allclose(mlp.keras_weights()[0], MLP([64, 16, 10], seed=3).params[0][0])


def test_bad_inputs_give_readable_messages():
    W, b = np.ones((3, 2)), np.zeros(2)
    with pytest.raises(ValueError, match=r"X should have shape \(any, 3\), got \(4, 5\)"):
        dense_forward(np.ones((4, 5)), W, b)
    with pytest.raises(ValueError, match=r"b should have shape \(2,\), got \(3,\)"):
        dense_forward(np.ones((4, 3)), W, np.zeros(3))
    with pytest.raises(TypeError, match="W should hold floats"):
        dense_forward(np.ones((4, 3)), np.ones((3, 2), dtype=int), b)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(TypeError, match="should hold integers"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP([2, 2], activation="swish")
    x = np.linspace(-2, 2, 50)[:, None]
    with pytest.raises(FloatingPointError, match="learning rate 10.0 is too large"), np.errstate(all="ignore"):
        MLP([1, 8, 1], activation="tanh", loss="mse").fit(x, np.sin(2 * x), epochs=50, learning_rate=10.0)


def test_keras_twin_reaches_the_same_accuracy_on_digits(keras):
    (x_train, y_train), (x_test, y_test) = load_digits_split()
    mlp = MLP([64, 128, 10], seed=0)
    twin = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                             keras.layers.Dense(10)])
    twin.set_weights(mlp.keras_weights())
    twin.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                 loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    for order in epoch_orders(len(x_train), 30, seed=0):
        twin.fit(x_train[order], y_train[order], epochs=1, batch_size=32, shuffle=False, verbose=0)
    mlp.fit(x_train, y_train, epochs=30, batch_size=32, learning_rate=0.1, momentum=0.9, seed=0)
    keras_labels = twin.predict(x_test, verbose=0).argmax(axis=1)
    assert np.mean(keras_labels == y_test) >= 0.97
    assert abs(np.mean(keras_labels == y_test) - mlp.accuracy(x_test, y_test)) <= 2 / len(y_test)


def test_network_loss_and_grads_matches_tensorflow_for_three_layers():
    import tensorflow as tf

    from dlcourse.mlp import network_loss_and_grads

    rng = np.random.default_rng(12)
    params = [rng.normal(size=(5, 4)), rng.normal(size=4), rng.normal(size=(4, 6)), rng.normal(size=6),
              rng.normal(size=(6, 3)), rng.normal(size=3)]
    X, y = rng.normal(size=(7, 5)), rng.integers(0, 3, size=7)
    loss, grads = network_loss_and_grads(params, X, y, activation="tanh")
    variables = [tf.Variable(p) for p in params]
    with tf.GradientTape() as tape:
        out = tf.constant(X)
        for i in range(0, 6, 2):
            out = out @ variables[i] + variables[i + 1]
            out = tf.tanh(out) if i < 4 else out
        reference = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, out))
    assert rel_error(loss, reference.numpy()) < 1e-12
    for ours, theirs in zip(grads, tape.gradient(reference, variables)):
        assert ours.shape == theirs.shape and rel_error(ours, theirs.numpy()) < 1e-10


def test_reference_layers_have_a2s_cache_api_and_match_numerical_gradients():
    from dlcourse.mlp import reference_layers

    layers = reference_layers()
    rng = np.random.default_rng(13)
    X, W, b, upstream = rng.normal(size=(4, 3)), rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=(4, 5))
    out, cache = layers["dense_forward"](X, W, b)
    for param, grad in zip((X, W, b), layers["dense_backward"](upstream, cache)):
        numeric = numerical_gradient(lambda _: np.sum(layers["dense_forward"](X, W, b)[0] * upstream), param)
        assert rel_error(grad, numeric) < 1e-7
    z = rng.uniform(0.1, 3.0, size=(4, 5)) * rng.choice([-1, 1], size=(4, 5))  # away from ReLU's kink
    for name in ("relu", "sigmoid"):
        a, cache = layers[f"{name}_forward"](z)
        numeric = numerical_gradient(lambda v: np.sum(layers[f"{name}_forward"](v)[0] * upstream), z.copy())
        assert rel_error(layers[f"{name}_backward"](upstream, cache), numeric) < 1e-7


def test_from_params_rejects_an_odd_list():
    with pytest.raises(ValueError, match=r"params must be \[W1, b1, ..., Wd, bd\], got 3 arrays"):
        MLP.from_params([np.ones((2, 2)), np.zeros(2), np.ones((2, 2))])


def test_lesson05_check_names_the_missing_factor(capsys):
    from dlcourse.activations import sigmoid
    from dlcourse.exercises import lesson05

    def no_sigmoid_derivative(x, y, W1, b1, v, c):
        h = sigmoid(x @ W1 + b1)
        return np.outer(x, (h @ v + c - y) * v)

    def wrong_sign(x, y, W1, b1, v, c):
        return -lesson05.reference_gradient(x, y, W1, b1, v, c)

    def slide_activations(x, y, W1, b1, v, c):
        h = 1 / (1 + np.exp(x @ W1 + b1))
        return np.outer(x, (h @ v + c - y) * v * h * (1 - h))

    for answer, words in ((no_sigmoid_derivative, "h_j (1 - h_j)"), (wrong_sign, "wrong sign"),
                          (slide_activations, "slide"), (lesson05.transposed, "swapped")):
        lesson05.check_hidden_weight_gradient(answer)
        printed = capsys.readouterr().out
        assert printed.startswith("not yet right:") and words in printed, printed
