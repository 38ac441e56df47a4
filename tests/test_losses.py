"""Activations and losses: every analytic derivative against a numerical gradient in
float64, values against Keras on the same inputs, and the explorer widget."""

from unittest import mock

import numpy as np
import pytest

from dlcourse import activations as A
from dlcourse import figures
from dlcourse import losses as L
from dlcourse.checks import numerical_gradient, rel_error

RNG = np.random.default_rng(7)


def elementwise_numerical(f, z):
    """d f / d z for an elementwise f, one entry at a time (a sum would lose digits)."""
    z = np.array(z, dtype=np.float64).reshape(-1)
    return np.array([numerical_gradient(lambda v: float(f(v)[0]), z[i:i + 1].copy())[0]
                     for i in range(z.size)])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_activation_derivatives_match_numerical(name):
    f, df = A.ACTIVATIONS[name]
    # |z| <= 4: further out the derivative is so small that a difference quotient
    # of float64 values keeps only a few digits
    z = np.clip(RNG.normal(scale=2, size=40), -4, 4)
    z = z[np.abs(z) > 1e-3]  # away from relu's kink
    assert rel_error(df(z), elementwise_numerical(f, z)) < 1e-7


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softmax"])
def test_activations_match_keras(name):
    keras = pytest.importorskip("keras")
    z = RNG.normal(scale=4, size=(6, 7))
    ours = A.softmax(z) if name == "softmax" else A.ACTIVATIONS[name][0](z)
    theirs = np.asarray(getattr(keras.activations, name)(z.astype(np.float32)))
    assert rel_error(ours, theirs) < 1e-5  # Keras computes in float32


def test_sigmoid_derivatives_match_keras_autodiff():
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    z = tf.constant(RNG.normal(scale=3, size=20))
    for name in ["sigmoid", "tanh", "relu"]:
        with tf.GradientTape() as tape:
            tape.watch(z)
            out = tf.reduce_sum(getattr(keras.activations, name)(z))
        assert rel_error(A.ACTIVATIONS[name][1](z.numpy()), tape.gradient(out, z).numpy()) < 1e-7


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        np.testing.assert_allclose(A.sigmoid([-1000.0, 1000.0]), [0.0, 1.0])


def test_softmax_jacobian_matches_numerical():
    z = RNG.normal(size=5)
    s = A.softmax(z)
    jacobian = np.diag(s) - np.outer(s, s)
    numeric = np.array([numerical_gradient(lambda v: A.softmax(v)[k], z.copy()) for k in range(5)])
    assert rel_error(jacobian, numeric) < 1e-7
    np.testing.assert_allclose(A.softmax(z + 1000), s)


LOSSES = {
    "quadratic": (L.quadratic, L.quadratic_derivative, lambda n: RNG.normal(size=n)),
    "cross_entropy": (L.cross_entropy, L.cross_entropy_derivative, lambda n: RNG.uniform(size=n)),
    "l1": (L.l1, L.l1_derivative, lambda n: RNG.normal(size=n)),
    "l2": (L.l2, L.l2_derivative, lambda n: RNG.normal(size=n)),
    "hinge": (L.hinge, L.hinge_derivative, lambda n: RNG.choice([-1.0, 1.0], size=n)),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_derivatives_match_numerical(name):
    f, df, targets = LOSSES[name]
    y = targets(30)
    y_hat = RNG.uniform(0.05, 0.95, 30) if name == "cross_entropy" else RNG.normal(scale=2, size=30)
    keep = np.abs(1 - np.abs(y_hat)) > 1e-3  # away from the kinks of hinge and L1
    keep &= np.abs(y_hat - y) > 1e-3
    y_hat, y = y_hat[keep], y[keep]
    numeric = [elementwise_numerical(lambda v: f(v, y[i:i + 1]), y_hat[i:i + 1])[0] for i in range(y.size)]
    assert rel_error(df(y_hat, y), np.array(numeric)) < 1e-7


def test_cross_entropy_has_the_minus_sign_and_matches_keras():
    keras = pytest.importorskip("keras")
    y = RNG.integers(0, 2, size=(5, 8)).astype(np.float64)
    y_hat = RNG.uniform(0.05, 0.95, size=(5, 8))
    ours = L.cross_entropy(y_hat, y)
    assert np.all(ours > 0)  # the slide's version without the minus would be negative
    theirs = np.asarray(keras.losses.binary_crossentropy(y, y_hat))
    assert rel_error(ours.mean(axis=-1), theirs) < 1e-5


def test_other_losses_match_keras():
    keras = pytest.importorskip("keras")
    y_hat = RNG.normal(size=(4, 6))
    y = RNG.normal(size=(4, 6))
    assert rel_error(L.l2(y_hat, y).mean(-1), keras.losses.mean_squared_error(y, y_hat)) < 1e-5
    assert rel_error(L.l1(y_hat, y).mean(-1), keras.losses.mean_absolute_error(y, y_hat)) < 1e-5
    labels = RNG.choice([-1.0, 1.0], size=(4, 6))
    assert rel_error(L.hinge(y_hat, labels).mean(-1), keras.losses.hinge(labels, y_hat)) < 1e-5
    onehot = np.eye(6)[RNG.integers(0, 6, size=4)]
    p = A.softmax(y_hat)
    theirs = keras.losses.categorical_crossentropy(onehot, p)
    assert rel_error(L.categorical_cross_entropy(p, onehot), theirs) < 1e-5


def test_softmax_cross_entropy_gradient_matches_numerical():
    z = RNG.normal(size=(3, 4))
    y = np.eye(4)[[0, 3, 1]]  # one-hot labels
    loss = lambda v: float(np.sum(L.categorical_cross_entropy(A.softmax(v), y)))
    assert rel_error(L.softmax_cross_entropy_gradient(z, y), numerical_gradient(loss, z.copy())) < 1e-7


def test_zero_one_counts_sign_mistakes():
    scores = np.array([2.0, -0.5, 0.3, -3.0])
    labels = np.array([1.0, 1.0, -1.0, -1.0])
    np.testing.assert_array_equal(L.zero_one(scores, labels), np.sign(scores) != labels)
    assert not np.any(L.zero_one_derivative(scores, labels))
    # a score of exactly 0 is a mistake for either label (the margin y y_hat <= 0)
    np.testing.assert_array_equal(L.zero_one(np.zeros(2), np.array([1.0, -1.0])), [1.0, 1.0])


def test_bad_inputs_give_messages():
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        L.cross_entropy([0.0, 0.5], [1.0, 0.0])
    with pytest.raises(ValueError, match="shape"):
        L.quadratic(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="unknown function"):
        L.explore("swish", [0.0])
    with pytest.raises(ValueError, match="target"):
        L.explore("hinge", [0.0], target=0.0)


@pytest.mark.parametrize("name", list(L.FUNCTIONS))
def test_explore_numerical_matches_analytic_off_kinks(name):
    _, _, (lo, hi), targets = L.FUNCTIONS[name]
    target = 1.0
    z = np.linspace(lo, hi, 23) + 0.0123  # avoids 0 and 1, where the kinks are
    z = z[z < hi]
    out = L.explore(name, z, target)
    assert rel_error(out["derivative"], out["numerical"]) < 1e-7
    f = L.FUNCTIONS[name][0]
    np.testing.assert_array_equal(out["value"], f(z, np.full_like(z, target)))


def test_explorer_widget(kernel):
    out = kernel.run(
        "from dlcourse.losses import explorer_widget\n"
        "from dlcourse.activations import tanh_derivative\n"
        "w = explorer_widget()\n"
        "w.children[0].value = 'tanh'\n"
        "w.children[2].value = 0.7\n"
        "print(abs(w.result['derivative'] - float(tanh_derivative(0.7))) < 1e-12,"
        " abs(w.result['numerical'] - w.result['derivative']) < 1e-8)\n"
        "w.children[0].value = 'hinge'\n"
        "w.children[1].value = 0.0\n"
        "print(w.result['message'])\n"
    )
    lines = out.strip().splitlines()
    assert lines[0] == "True True"
    assert lines[-1].startswith("target must be in")


def test_explorer_widget_redraws_once_per_input_and_says_the_point():
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = L.explorer_widget()
        controls = {c.description: c for c in w.kwargs_widgets}
        for point in (0.55, 0.6, 0.65):
            controls["point"].value = point
        controls["function"].value = "hinge"
        controls["target"].value = 0.0  # hinge takes -1 or +1: a message and no picture
    assert draw.call_count == 1 + 4
    assert figures.figure_problems(draw.call_args.args[0].fig) == []  # titled, axes labelled
    picture = w.children[3]  # between the controls and the printed output
    assert 'alt="hinge (target 1) | derivative at 0.65: -1.0000"' in picture.value
    assert w.result == {"message": "target must be in (-1.0, 1.0)"}
