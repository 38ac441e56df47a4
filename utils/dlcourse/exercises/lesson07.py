"""Lesson 07's "your turn": the backward pass of centring over the batch, batch norm's mean path."""

import numpy as np

from dlcourse.checks import numerical_gradient
from dlcourse.exercises import exercise


def centre(x):
    """z = x - mu_B: each feature (column) minus its mean over the batch."""
    return x - x.mean(axis=0)


@exercise(
    task="write center_backward(dout): dL/dx for z = x - mu_B (mu_B the mean over the batch, axis 0), given dout = dL/dz",
    right=lambda dout: dout - dout.mean(axis=0),
    wrong=lambda dout: dout,
    praise="every x_n also moves mu_B, which all N outputs of its column subtract, so dx = dout minus its column mean",
)
def check_center_backward(center_backward):
    rng = np.random.default_rng(7)
    x, dout = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    expected = numerical_gradient(lambda v: np.sum(centre(v) * dout), x)
    dx = np.asarray(center_backward(dout.copy()), dtype=np.float64)
    if dx.shape != dout.shape:
        return f"dx should have the shape of dout, {dout.shape}, got {dx.shape}"
    if np.allclose(dx, dout):
        return "that is dL/dz itself: x_n also reaches the loss through mu_B, which every z in its column subtracts"
    if np.allclose(dx, dout - dout.mean()):
        return "mu_B is one mean per feature, over the batch (axis 0), not the mean of the whole array"
    if np.allclose(dx, dout - dout.mean(axis=1, keepdims=True)):
        return "mu_B averages over the examples (axis 0, down each column), not over the features of one example"
    if np.allclose(dx, dout - dout.sum(axis=0)):
        return "close: dmu_B/dx_n is 1/N, not 1 (mu_B is a mean, not a sum)"
    if not np.allclose(dx, expected, rtol=1e-6, atol=1e-8):
        return ("not the gradient yet: compare with checks.numerical_gradient on a small example "
                "(each column of dx should add up to 0)")
