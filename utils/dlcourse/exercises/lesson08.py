"""Lesson 08's "your turn": backprop through inverted dropout followed by a dense layer."""

import numpy as np

from dlcourse.checks import numerical_gradient
from dlcourse.exercises import exercise

RATE = 0.25


def forward(x, W, mask, rate):
    """z = (x * mask / (1 - rate)) @ W: inverted dropout on x, then a dense layer without bias."""
    return (x * mask / (1 - rate)) @ W


@exercise(
    task="write dropout_dense_backward(dout, W, mask, rate): dL/dx for z = dropout(x) @ W, given dout = dL/dz",
    right=lambda dout, W, mask, rate: (dout @ W.T) * mask / (1 - rate),
    wrong=lambda dout, W, mask, rate: (dout @ W.T) * mask,
    praise="dout @ W.T brings the gradient below the dense layer; the same mask and 1/(1-rate) take it through dropout",
)
def check_dropout_dense_backward(dropout_dense_backward):
    rng = np.random.default_rng(8)
    x, W = rng.normal(size=(4, 6)), rng.normal(size=(6, 3))
    mask = rng.random(x.shape) >= RATE
    dout = rng.normal(size=(4, 3))
    expected = numerical_gradient(lambda v: np.sum(forward(v, W, mask, RATE) * dout), x)
    dx = np.asarray(dropout_dense_backward(dout.copy(), W.copy(), mask.copy(), RATE), dtype=np.float64)
    if dx.shape != x.shape:
        return f"dx should have the shape of x, {x.shape}, got {dx.shape} (which way round does W go?)"
    if np.any(dx[~mask] != 0):
        return "a dropped unit (mask False) took no part in z: its gradient must be 0 (use the forward pass's mask)"
    if np.allclose(dx, expected * (1 - RATE)):
        return "the kept units were scaled by 1/(1-rate) in the forward pass: the gradient is scaled the same way"
    if np.allclose(dx, expected * (1 - RATE) ** 2):
        return "the forward pass divides by the keep probability 1-rate: the backward pass divides too, it does not multiply"
    if np.allclose(dx, expected * (1 - RATE) / RATE):
        return "divide by the keep probability 1 - rate, not by the rate"
    if not np.allclose(dx, expected, rtol=1e-6, atol=1e-8):
        return "not the gradient yet: first dL/da = dout @ W.T (a = the dropout output), then through dropout"
