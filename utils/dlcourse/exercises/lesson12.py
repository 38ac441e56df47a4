"""Lesson 12's "your turn": the forget gate's gradient in the coupled-gate LSTM cell."""

import numpy as np

from dlcourse.activations import sigmoid
from dlcourse.checks import numerical_gradient
from dlcourse.exercises import exercise


def _case():
    """dL/dc_t, c_{t-1}, g_t and z_f of a few coupled cells, and the true dL/dz_f."""
    rng = np.random.default_rng(12)
    dc, c_prev, z_f = rng.normal(size=(3, 2, 4))
    g = np.tanh(rng.normal(size=(2, 4)))
    expected = numerical_gradient(
        lambda z: float(np.sum(dc * (sigmoid(z) * c_prev + (1 - sigmoid(z)) * g))), z_f)
    return dc, c_prev, g, sigmoid(z_f), expected


@exercise(
    task="write coupled_forget_delta(dc, c_prev, g, f): dL/dz_f (N, H) for the coupled cell "
         "c_t = f * c_prev + (1 - f) * g, with f = sigmoid(z_f) and dc = dL/dc_t",
    right=lambda dc, c_prev, g, f: dc * (c_prev - g) * f * (1 - f),
    wrong=lambda dc, c_prev, g, f: dc * c_prev * f * (1 - f),
    praise="dc_t/df = c_prev - g (f keeps the old cell and gives up the candidate), times sigmoid' = f (1 - f)",
)
def check_coupled_forget_delta(coupled_forget_delta):
    dc, c_prev, g, f, expected = _case()
    got = np.asarray(coupled_forget_delta(dc.copy(), c_prev.copy(), g.copy(), f.copy()), dtype=np.float64)
    if got.shape != expected.shape:
        return f"dL/dz_f has the shape of c, {expected.shape}, got {got.shape}"
    if np.allclose(got, expected):
        return None
    if np.allclose(got, dc * c_prev * f * (1 - f)):
        return "that is the ordinary LSTM's delta_f: in the coupled cell f also appears in (1 - f) g"
    if np.allclose(got, dc * (c_prev - g)):
        return "that is dL/df; the pre-activation z_f is one sigmoid further back: times sigmoid'(z_f) = f (1 - f)"
    if np.allclose(got, dc * (c_prev + g) * f * (1 - f)):
        return "mind the sign: (1 - f) g shrinks when f grows"
    return "not the gradient yet: compare with checks.numerical_gradient on a small example"
