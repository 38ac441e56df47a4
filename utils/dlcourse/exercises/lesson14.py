"""Lesson 14's "your turn": an autoencoder's forward pass and its reconstruction loss."""

import numpy as np

from dlcourse.activations import relu, sigmoid
from dlcourse.exercises import exercise

RNG = np.random.default_rng(14)
X = RNG.uniform(0, 1, size=(4, 6))      # N = 4 inputs of D = 6 pixels in [0, 1]
W = RNG.normal(size=(6, 3))             # M = 3: the bottleneck
B = RNG.normal(size=3)
W_STAR = RNG.normal(size=(3, 6))
B_STAR = RNG.normal(size=6)


def reference(X, W, b, W_star, b_star):
    """l(x) = 1/2 sum_i (x_hat_i - x_i)^2 per row, x_hat = sigmoid(relu(X W + b) W* + b*)."""
    x_hat = sigmoid(relu(X @ W + b) @ W_star + b_star)
    return 0.5 * np.sum((x_hat - X) ** 2, axis=1)


def without_sigmoid(X, W, b, W_star, b_star):
    return 0.5 * np.sum((relu(X @ W + b) @ W_star + b_star - X) ** 2, axis=1)


@exercise(
    task="write reconstruction_loss(X, W, b, W_star, b_star): one loss l(x) per row of X, "
         "with phi = relu and the sigmoid at the output",
    right=reference,
    wrong=without_sigmoid,
    praise="one number per image: how badly the 3-number code lets the decoder redraw it",
)
def check_reconstruction_loss(reconstruction_loss):
    answer = np.asarray(reconstruction_loss(X.copy(), W.copy(), B.copy(), W_STAR.copy(), B_STAR.copy()),
                        dtype=np.float64)
    right = reference(X, W, B, W_STAR, B_STAR)
    if answer.shape == ():
        if np.isclose(answer, right.mean()) or np.isclose(answer, right.sum()):
            return "that is the loss of the whole batch; return one loss per row of X (sum over pixels only)"
        return f"return one loss per row of X, shape {right.shape}, not a single number"
    if answer.shape != right.shape:
        return f"return one loss per row of X, shape {right.shape}, got {answer.shape}"
    if np.allclose(answer, right):
        return None
    if np.allclose(answer, 2 * right):
        return "twice the loss: the squared error has a factor 1/2"
    if np.allclose(answer, right / 6):
        return "that averages over the pixels; the loss sums over them (times 1/2)"
    if np.allclose(answer, without_sigmoid(X, W, B, W_STAR, B_STAR)):
        return "the decoder ends in a sigmoid: x_hat = sigmoid(h W* + b*), so pixels stay in [0, 1]"
    h = X @ W + B
    if np.allclose(answer, 0.5 * np.sum((sigmoid(h @ W_STAR + B_STAR) - X) ** 2, axis=1)):
        return "the code is h = relu(X W + b): the relu is missing"
    return "compute h = relu(X W + b), then x_hat = sigmoid(h W* + b*), then 1/2 sum over pixels of (x_hat - x)^2"
