"""Lesson 05's "your turn": one backward step of the decks' 2-2-1 network, by hand."""

import numpy as np

from dlcourse import graph
from dlcourse.activations import sigmoid
from dlcourse.exercises import exercise

# (x, y, W1, b1, v, c): the deck's example, then settings where no weight is 0 or 1
CASES = [
    (graph.DECK_EXAMPLE["x"], 1.0, graph.DECK_EXAMPLE["W1"], graph.DECK_EXAMPLE["b1"], graph.DECK_EXAMPLE["w2"], 1.0),
    (np.array([1.0, -0.5]), 0.0, np.array([[0.3, -0.8], [1.2, 0.4]]), np.array([0.1, -0.2]), np.array([0.7, -1.5]), 0.2),
    (np.array([-0.4, 2.0]), 2.5, np.array([[-1.1, 0.6], [0.2, 0.9]]), np.array([0.5, 0.3]), np.array([-0.6, 1.3]), -0.4),
]


def reference_gradient(x, y, W1, b1, v, c):
    """dL/dW1 (2, 2) for L = (y_hat - y)^2 / 2, h = sigmoid(x @ W1 + b1), y_hat = h @ v + c."""
    return graph.forward_backward(x, y, W1, b1, v, c)["grads"]["W1"]


def likely_mistakes(x, y, W1, b1, v, c):
    """{hint: what that mistake computes} for one setting."""
    h = sigmoid(x @ W1 + b1)
    error = h @ v + c - y                         # dL/dy_hat
    delta = error * v * h * (1 - h)               # dL/dz_j
    slide_h = sigmoid(-(x @ W1 + b1))
    return {
        "rows and columns are swapped: W[i, j] joins input i (row) to hidden unit j (column), "
        "so dL/dW[i, j] = x_i times the delta of unit j": np.outer(delta, x),
        "the gradient has the wrong sign: dL/dy_hat = y_hat - y, not y - y_hat": -np.outer(x, delta),
        "the path to W[i, j] also passes through h_j = sigmoid(z_j): multiply by sigmoid'(z_j) = h_j (1 - h_j)":
            np.outer(x, error * v),
        "the path runs through the output weight v_j: dL/dh_j = (y_hat - y) v_j": np.outer(x, error * h * (1 - h)),
        "z_j = x @ W1[:, j] + b_j enters with a factor x_i: multiply the delta of unit j by the input x_i":
            np.tile(delta, (2, 1)),
        "sigmoid(z) is 1 / (1 + e^-z); 1 / (1 + e^z) is the slide's slip (sigma(-z))":
            np.outer(x, (slide_h @ v + c - y) * v * slide_h * (1 - slide_h)),
    }


def transposed(x, y, W1, b1, v, c):
    """A plausible wrong answer: the gradient laid out hidden unit by input."""
    return reference_gradient(x, y, W1, b1, v, c).T


@exercise(
    task="write hidden_weight_gradient(x, y, W1, b1, v, c) returning dL/dW1, shape (2, 2)",
    right=reference_gradient,
    wrong=transposed,
    praise="forward, then delta_out = y_hat - y, delta_j = delta_out v_j h_j (1 - h_j), dL/dW[i, j] = x_i delta_j",
)
def check_hidden_weight_gradient(hidden_weight_gradient):
    for x, y, W1, b1, v, c in CASES:
        got = np.asarray(hidden_weight_gradient(x.copy(), y, W1.copy(), b1.copy(), v.copy(), c), dtype=np.float64)
        if got.shape != (2, 2):
            return f"return dL/dW1 with the shape of W1, (2, 2), got shape {got.shape}"
        expected = reference_gradient(x, y, W1, b1, v, c)
        if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            continue
        for hint, value in likely_mistakes(x, y, W1, b1, v, c).items():
            if np.allclose(got, value, rtol=1e-6, atol=1e-9):
                return hint
        return (f"for x = {x.tolist()}, y = {y} you get {np.round(got, 4).tolist()}: go through the forward pass, "
                "then dL/dy_hat, dL/dh_j, dL/dz_j and dL/dW[i, j] one factor at a time")
    return None
