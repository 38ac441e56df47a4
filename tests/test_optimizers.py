"""From-scratch optimisers against Keras's, step by step, in float64."""

import numpy as np
import pytest

from dlcourse import optimizers

keras = pytest.importorskip("keras")

A = np.array([[3.0, 0.5, 0.0], [0.5, 1.0, 0.2], [0.0, 0.2, 0.3]])
B = np.array([1.0, -2.0, 0.5])


def grad(w):
    """Gradient of a convex quadratic plus a non-quadratic term, so steps differ."""
    return A @ w - B + 0.1 * np.sin(w)


@pytest.mark.parametrize("name", [n for n in optimizers.OPTIMIZERS if n != "Adam"])
@pytest.mark.parametrize("lr", [0.01, 0.1])
def test_matches_keras_over_100_steps(name, lr):
    w0 = np.array([1.5, -0.7, 2.0])
    ours = optimizers.run_numpy(optimizers.make_optimizer(name, lr, momentum=0.8), grad, w0, 100)
    theirs = optimizers.run_keras(optimizers.keras_optimizer(name, lr, momentum=0.8), grad, w0, 100)
    assert np.all(np.isfinite(ours))
    assert np.abs(ours[-1] - ours[0]).max() > 1e-3  # it moved
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("lr", [0.01, 0.1])
def test_adam_matches_keras_over_100_steps(lr):
    """Keras casts beta_1, beta_2 through float32 (0.999 -> 0.99900001), so betas
    that float32 holds exactly give a 1e-6 match; the defaults agree to 1e-4."""
    w0 = np.array([1.5, -0.7, 2.0])
    betas = dict(beta_1=0.875, beta_2=1 - 2.0**-10)
    ours = optimizers.run_numpy(optimizers.Adam(lr, **betas), grad, w0, 100)
    keras.config.set_floatx("float64")
    try:
        opt = keras.optimizers.Adam(lr, **betas)
    finally:
        keras.config.set_floatx("float32")
    np.testing.assert_allclose(ours, optimizers.run_keras(opt, grad, w0, 100), rtol=1e-6, atol=1e-9)
    ours = optimizers.run_numpy(optimizers.Adam(lr), grad, w0, 100)
    theirs = optimizers.run_keras(optimizers.keras_optimizer("Adam", lr), grad, w0, 100)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)


def test_textbook_momentum_is_keras_form():
    """The deck's v <- g*v + lr*grad, w <- w - v gives the same iterates."""
    w, v = np.array([1.5, -0.7, 2.0]), np.zeros(3)
    path = [w]
    for _ in range(20):
        v = 0.9 * v + 0.05 * grad(w)
        w = w - v
        path.append(w)
    ours = optimizers.run_numpy(optimizers.Momentum(0.05, 0.9), grad, path[0], 20)
    np.testing.assert_allclose(ours, np.array(path), rtol=1e-12)


def test_adam_bias_correction_textbook_form():
    """With eps=0 the efficient form equals lr*m_hat/sqrt(v_hat)."""
    opt = optimizers.Adam(0.1, epsilon=0.0)
    w, m, v = np.array([1.5, -0.7, 2.0]), 0.0, 0.0
    w_ours = w.copy()
    for t in range(1, 30):
        g = grad(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        w = w - 0.1 * (m / (1 - 0.9**t)) / np.sqrt(v / (1 - 0.999**t))
        w_ours = opt.step(w_ours, grad(w_ours))
    np.testing.assert_allclose(w_ours, w, rtol=1e-10)


def test_step_does_not_change_input_and_checks_shapes():
    w = np.ones(3)
    opt = optimizers.Adam(0.1)
    opt.step(w, np.ones(3))
    assert np.all(w == 1)
    with pytest.raises(ValueError, match="gradient should have shape"):
        opt.step(w, np.ones(4))
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        optimizers.SGD(0.0)
    with pytest.raises(ValueError, match="unknown optimiser"):
        optimizers.make_optimizer("Adamax", 0.1)
