"""Lesson 03's "your turn": the gradient of cross-entropy through a sigmoid, dl/dz."""

import numpy as np

from dlcourse import losses
from dlcourse.activations import sigmoid
from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.exercises import exercise

Z = np.array([-6.0, -2.5, -0.3, 0.0, 0.4, 1.7, 3.0, 5.5])
Y = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0])


def numerical_dz(z, y):
    """Central differences of sum_n l(z_n) with l(z) = cross_entropy(sigmoid(z), y): dl/dz entry by entry."""
    return numerical_gradient(lambda v: float(np.sum(losses.cross_entropy(sigmoid(v), y))), z.copy())


def likely_mistake(answer, z, y):
    """Name the formula the answer matches, if it is a known wrong one."""
    y_hat = sigmoid(z)
    known = {
        "the sign is flipped: for y = 1 the loss falls as z grows, so dl/dz must be negative there":
            y - y_hat,
        "that is the quadratic loss's dl/dz, (y_hat - y) y_hat (1 - y_hat); for cross-entropy "
        "the factor y_hat (1 - y_hat) cancels": (y_hat - y) * y_hat * (1 - y_hat),
        "that is dl/dy_hat; the chain rule still needs dy_hat/dz = y_hat (1 - y_hat)":
            losses.cross_entropy_derivative(y_hat, y),
        "that is the loss itself, not its derivative": losses.cross_entropy(y_hat, y),
        "use y_hat = sigmoid(z), not z itself, in y_hat - y": z - y,
    }
    for hint, values in known.items():
        if rel_error(answer, values) < 1e-6:
            return hint
    return None


@exercise(
    task="write cross_entropy_dz(z, y): dl/dz of l = cross-entropy(sigmoid(z), y), elementwise",
    right=lambda z, y: sigmoid(z) - y,
    wrong=lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)),
    praise="dl/dz = y_hat - y: the y_hat (1 - y_hat) of the sigmoid cancelled",
)
def check_cross_entropy_dz(cross_entropy_dz):
    answer = np.asarray(cross_entropy_dz(Z.copy(), Y.copy()), dtype=np.float64)
    if answer.shape != Z.shape:
        return f"return one derivative per entry of z, shape {Z.shape}, got shape {answer.shape}"
    numeric = numerical_dz(Z, Y)
    error = rel_error(answer, numeric)
    if error > 1e-6:
        return likely_mistake(answer, Z, Y) or (
            f"relative error {error:.1e} against central differences; at z={Z[0]}, y={Y[0]:.0f} "
            f"the slope is {numeric[0]:.4f}, yours {answer[0]:.4f}")
