"""The NumPy RNN against Keras SimpleRNN, numerical gradients and tf.clip_by_global_norm."""

import numpy as np
import pytest

from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.rnn import (clip_by_global_norm, gradient_norm_profile, rnn_backward,
                          rnn_forward, scale_to_spectral_radius, spectral_radius,
                          step_jacobian)


def random_rnn(rng, n=3, steps=5, d=4, hidden=6):
    return (rng.normal(size=(n, steps, d)), rng.normal(size=(d, hidden)) * 0.5,
            rng.normal(size=(hidden, hidden)) * 0.4, rng.normal(size=hidden) * 0.1)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_forward_matches_keras_simple_rnn(activation):
    import keras

    rng = np.random.default_rng(1)
    X, Wx, Wh, b = random_rnn(rng, n=4, steps=7, d=3, hidden=5)
    h0 = rng.normal(size=(4, 5))
    layer = keras.layers.SimpleRNN(5, activation=activation, return_sequences=True, dtype="float64")
    layer.build(X.shape)
    layer.set_weights([Wx, Wh, b])
    expected = np.asarray(layer(X, initial_state=[h0]))
    H, _ = rnn_forward(X, Wx, Wh, b, h0=h0, activation=activation)
    assert np.max(np.abs(H - expected)) < 1e-6
    assert rel_error(H, expected) < 1e-10


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_bptt_matches_numerical_gradients(activation):
    rng = np.random.default_rng(2)
    X, Wx, Wh, b = random_rnn(rng)
    h0 = rng.normal(size=(3, 6))
    G = rng.normal(size=(3, 5, 6))  # loss = sum(G * H): every step feeds the loss

    def loss(*_):
        return float(np.sum(G * rnn_forward(X, Wx, Wh, b, h0=h0, activation=activation)[0]))

    _, cache = rnn_forward(X, Wx, Wh, b, h0=h0, activation=activation)
    grads = rnn_backward(G, cache)
    for name, param in [("dX", X), ("dWx", Wx), ("dWh", Wh), ("db", b), ("dh0", h0)]:
        assert rel_error(grads[name], numerical_gradient(loss, param)) < 1e-7, name


def test_truncated_bptt_equals_backprop_inside_each_chunk():
    rng = np.random.default_rng(3)
    X, Wx, Wh, b = random_rnn(rng, steps=12)
    G = rng.normal(size=(3, 12, 6))
    H, cache = rnn_forward(X, Wx, Wh, b)
    truncated = rnn_backward(G, cache, truncate=4)
    h_start = np.zeros((3, 6))
    expected = {k: 0 for k in ("dWx", "dWh", "db")}
    for start in range(0, 12, 4):
        chunk = slice(start, start + 4)
        _, chunk_cache = rnn_forward(X[:, chunk], Wx, Wh, b, h0=h_start)
        chunk_grads = rnn_backward(G[:, chunk], chunk_cache)
        for k in expected:
            expected[k] = expected[k] + chunk_grads[k]
        np.testing.assert_allclose(truncated["dX"][:, chunk], chunk_grads["dX"], atol=1e-12)
        h_start = H[:, start + 3]
    for k in expected:
        np.testing.assert_allclose(truncated[k], expected[k], atol=1e-12)
    full = rnn_backward(G, cache)
    assert rel_error(full["dWh"], truncated["dWh"]) > 1e-3  # truncation changes the gradient


def test_step_jacobian_matches_numerical_jacobian():
    rng = np.random.default_rng(4)
    _, Wx, Wh, b = random_rnn(rng)
    x, h_prev = rng.normal(size=4), rng.normal(size=6)
    z = x @ Wx + h_prev @ Wh + b
    numeric = np.array([
        numerical_gradient(lambda h: float(np.tanh(x @ Wx + h @ Wh + b)[j]), h_prev.copy())
        for j in range(6)
    ])
    assert rel_error(step_jacobian(z, Wh), numeric) < 1e-7


def test_spectral_radius_controls_the_linear_gradient_decay():
    rng = np.random.default_rng(5)
    W = scale_to_spectral_radius(rng.normal(size=(8, 8)), 0.9)
    assert spectral_radius(W) == pytest.approx(0.9)
    assert spectral_radius(np.linalg.matrix_power(W, 3)) == pytest.approx(0.9 ** 3)
    for radius in (0.8, 1.2):
        norms, _ = gradient_norm_profile(radius, activation="linear", steps=120, hidden=16)
        rate = (norms[0] / norms[40]) ** (1 / 40)  # per-step growth far from the loss
        assert rate == pytest.approx(radius, rel=0.05)
    identity, _ = gradient_norm_profile(1.0, activation="linear", init="identity")
    np.testing.assert_allclose(identity, 1.0)


def test_clipping_matches_tensorflow_and_keeps_direction():
    import tensorflow as tf

    rng = np.random.default_rng(6)
    grads = [rng.normal(size=(4, 3)) * 5, rng.normal(size=3) * 5]
    clipped, norm = clip_by_global_norm(grads, 2.0)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], 2.0)
    assert norm == pytest.approx(float(tf_norm))
    for mine, theirs, g in zip(clipped, tf_clipped, grads):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-12)
        np.testing.assert_allclose(mine / g, 2.0 / norm)
    small, _ = clip_by_global_norm([g / 100 for g in grads], 2.0)
    np.testing.assert_array_equal(small[0], grads[0] / 100)
    with pytest.raises(ValueError, match="positive"):
        clip_by_global_norm(grads, 0)


def test_bad_shapes_and_settings_are_explained():
    rng = np.random.default_rng(7)
    X, Wx, Wh, b = random_rnn(rng)
    with pytest.raises(ValueError, match="Wh should have shape"):
        rnn_forward(X, Wx, Wh[:, :5], b)
    with pytest.raises(ValueError, match="activation"):
        rnn_forward(X, Wx, Wh, b, activation="softmax")
    with pytest.raises(ValueError, match="positive"):
        gradient_norm_profile(0.0)


def test_gradient_norm_widget_returns_what_it_plots(kernel):
    out = kernel.run(
        "import matplotlib; matplotlib.use('Agg')\n"
        "from dlcourse.rnn import gradient_norm_widget, gradient_norm_profile\n"
        "w = gradient_norm_widget()\n"
        "w.children[0].value = 0.7\n"
        "w.children[1].value = 'linear'\n"
        "norms, _ = gradient_norm_profile(0.7, 'linear', 'random', 60)\n"
        "print('RESULT', round(w.result['radius'], 6), w.result['ratio'] < 1e-6,"
        " bool((w.result['norms'] == norms).all()))\n"
        "w.children[0].value = 1.3\n"
        "print('RESULT', w.result['ratio'] > 1e4)\n"
    )
    results = [line.split()[1:] for line in out.splitlines() if line.startswith("RESULT")]
    assert results == [["0.7", "True", "True"], ["True"]]


def test_gradient_norm_widget_redraws_its_picture_once_per_input():
    from unittest import mock

    from dlcourse import figures
    from dlcourse.rnn import gradient_norm_widget

    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = gradient_norm_widget()
        picture = w.children[4]
        w.children[0].value = 1.25  # the browser test's key press
        moved = picture.value
        w.children[2].value = "identity"
        w.children[3].value = 30
    assert draw.call_count == 1 + 3
    assert '<img alt="tanh, random Wh, spectral radius 1.25 | eigenvalues of Wh and the unit circle"' in moved
    assert 'alt="tanh, identity Wh, spectral radius 1.25 |' in picture.value
    norm_ax, eig_ax = draw.call_args.args[0].fig.axes
    norms, _ = gradient_norm_profile(1.25, "tanh", "identity", 30)
    np.testing.assert_array_equal(norm_ax.lines[0].get_ydata(), norms)
    assert norm_ax.get_xlim()[1] < 31 and norm_ax.get_ylim()[0] < norms.min()
    np.testing.assert_allclose(eig_ax.collections[0].get_offsets(), [[1.25, 0.0]] * 32)  # Wh = 1.25 I
    assert eig_ax.get_xlim()[1] > 1.25  # the limits follow the eigenvalues outside the circle


def test_deep_bidirectional_matches_keras():
    import keras

    from dlcourse.rnn import deep_bidirectional_rnn_forward

    rng = np.random.default_rng(11)
    X = rng.normal(size=(3, 6, 4))
    model = keras.Sequential([keras.Input((6, 4), dtype="float64")] + [
        keras.layers.Bidirectional(keras.layers.SimpleRNN(5, return_sequences=True, dtype="float64"),
                                   dtype="float64") for _ in range(2)])
    layers = []
    for bi in model.layers:  # random Keras weights, with a non-zero bias
        forward, backward = ([w + 0.1 * rng.normal(size=w.shape) for w in part.get_weights()]
                             for part in (bi.forward_layer, bi.backward_layer))
        bi.forward_layer.set_weights(forward)
        bi.backward_layer.set_weights(backward)
        layers.append((forward, backward))
    assert layers[1][0][0].shape == (10, 5)  # the second layer reads both directions of the first
    ours = deep_bidirectional_rnn_forward(X, layers)
    expected = np.asarray(model(X))
    assert ours.shape == expected.shape == (3, 6, 10)
    assert rel_error(ours, expected) < 1e-10
    # reading the backward direction forwards instead gives something else
    from dlcourse.rnn import rnn_forward
    wrong = np.concatenate([rnn_forward(X, *layers[0][0])[0], rnn_forward(X, *layers[0][1])[0]], axis=-1)
    assert rel_error(wrong, np.asarray(model.layers[0](X))) > 1e-2


def test_deep_bidirectional_needs_layers():
    from dlcourse.rnn import deep_bidirectional_rnn_forward

    with pytest.raises(ValueError, match="at least one"):
        deep_bidirectional_rnn_forward(np.zeros((1, 2, 3)), [])
