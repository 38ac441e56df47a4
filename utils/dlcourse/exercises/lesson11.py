"""Lesson 11's "your turn": one step of backpropagation through time in a tanh RNN."""

import numpy as np

from dlcourse.checks import numerical_gradient
from dlcourse.exercises import exercise


def _case():
    """dL/dh_t, z_t and a non-symmetric Wh of a small tanh RNN, and the true dL/dh_{t-1}."""
    rng = np.random.default_rng(11)
    x, h_prev = rng.normal(size=(3, 2)), rng.normal(size=(3, 4))
    Wx, Wh, b = rng.normal(size=(2, 4)), rng.normal(size=(4, 4)), rng.normal(size=4)
    dh = rng.normal(size=(3, 4))
    z = x @ Wx + h_prev @ Wh + b
    expected = numerical_gradient(lambda h: float(np.sum(dh * np.tanh(x @ Wx + h @ Wh + b))), h_prev)
    return dh, z, Wh, expected


@exercise(
    task="write step_back(dh, z, Wh): dL/dh_{t-1} (N, H) of a tanh RNN, from dh = dL/dh_t (N, H), "
         "the pre-activation z = z_t (N, H) and Wh (H, H)",
    right=lambda dh, z, Wh: (dh * (1 - np.tanh(z) ** 2)) @ Wh.T,
    wrong=lambda dh, z, Wh: dh @ Wh.T,
    praise="delta_t = dh_t * tanh'(z_t), then back through z_t = ... + h_{t-1} Wh: delta_t Wh^T",
)
def check_step_back(step_back):
    dh, z, Wh, expected = _case()
    got = np.asarray(step_back(dh.copy(), z.copy(), Wh.copy()), dtype=np.float64)
    if got.shape != expected.shape:
        return f"dL/dh_(t-1) has the shape of h, {expected.shape}, got {got.shape}"
    if np.allclose(got, expected):
        return None
    delta = dh * (1 - np.tanh(z) ** 2)
    if np.allclose(got, dh @ Wh.T):
        return "the gradient also passes through tanh: multiply dh by tanh'(z_t) before going back through Wh"
    if np.allclose(got, delta @ Wh):
        return "z_t = x_t Wx + h_(t-1) Wh + b, so the gradient goes back through Wh transposed (Wh.T)"
    if np.allclose(got, (dh * (1 - z ** 2)) @ Wh.T):
        return "tanh'(z) = 1 - tanh(z)^2: square tanh(z), not the pre-activation z itself"
    return "not the gradient yet: compare with checks.numerical_gradient on a small example"
