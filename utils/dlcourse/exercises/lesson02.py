"""Lesson 02's "your turn": the perceptron's update, with the bias trick."""

import numpy as np

from dlcourse.exercises import exercise

# (w_tilde, x_n, y_n, lr): misclassified, on the boundary (both labels) and correct examples
CASES = [
    (np.array([0.5, -1.0, 2.0]), np.array([1.5, -0.5]), 1, 0.7),      # margin -2.0: a mistake
    (np.array([-0.3, 0.8, 0.4]), np.array([2.0, 1.0]), -1, 0.25),     # margin -1.7: a mistake
    (np.array([1.0, 1.0, -1.0]), np.array([1.0, 2.0]), -1, 0.5),      # margin 0: a mistake
    (np.array([1.0, 1.0, -1.0]), np.array([1.0, 2.0]), 1, 2.0),       # margin 0: a mistake too
    (np.array([0.2, 1.0, -0.5]), np.array([3.0, 1.0]), 1, 0.9),       # margin 2.7: correct
    (np.array([0.4, -2.0, 0.3]), np.array([1.0, -1.0]), -1, 1.3),     # margin 1.9: correct
]


def reference_update(w_tilde, x_n, y_n, lr):
    """w~ + lr y [1, x] when the margin y w~.[1, x] is <= 0, else w~ unchanged."""
    x_tilde = np.r_[1.0, x_n]
    return w_tilde + lr * y_n * x_tilde if y_n * (w_tilde @ x_tilde) <= 0 else w_tilde


def mistake(step, w_tilde, x_n, y_n, lr):
    """The hint for one case the student's ``step`` gets wrong."""
    x_tilde = np.r_[1.0, x_n]
    margin = y_n * (w_tilde @ x_tilde)
    moved = step - w_tilde
    if margin > 0:
        return f"margin {margin:+.2g} is positive (classified correctly), so the weights must stay as they are"
    if np.allclose(moved, 0):
        where = "on the boundary: margin 0 counts as a mistake" if margin == 0 else f"misclassified (margin {margin:+.2g})"
        return f"the example x={x_n.tolist()}, y={y_n:+d} is {where}, but your weights did not change"
    if np.allclose(moved, -lr * y_n * x_tilde):
        return "the weights moved the wrong way: add lr * y * x~ (towards the label), do not subtract"
    if np.allclose(moved[1:], lr * y_n * x_n) and not np.isclose(moved[0], lr * y_n):
        return "the bias w~[0] must move too, by lr * y: the bias trick puts a constant 1 in front of x"
    if np.allclose(moved, y_n * x_tilde):
        return f"the step must be scaled by the learning rate lr={lr}"
    return f"on x={x_n.tolist()}, y={y_n:+d}, lr={lr}, w~ should move by lr * y * [1, x] = {np.round(lr * y_n * x_tilde, 4).tolist()}"


@exercise(
    task="write perceptron_step(w_tilde, x_n, y_n, lr): the new weights after one visit of example n",
    right=reference_update,
    wrong=lambda w_tilde, x_n, y_n, lr: w_tilde + lr * y_n * np.r_[1.0, x_n] * (y_n * (w_tilde @ np.r_[1.0, x_n]) < 0),
    praise="misclassified and boundary points move the weights by lr y x~, correct ones leave them",
)
def check_perceptron_step(perceptron_step):
    for w_tilde, x_n, y_n, lr in CASES:
        step = perceptron_step(w_tilde.copy(), x_n.copy(), y_n, lr)
        if isinstance(step, tuple):
            return "return only the new weights w~ (P.perceptron_update also returns whether it was a mistake)"
        step = np.asarray(step, dtype=np.float64)
        if step.shape != w_tilde.shape:
            return f"return the new weights w~, shape {w_tilde.shape} (bias first), got shape {step.shape}"
        if not np.allclose(step, reference_update(w_tilde, x_n, y_n, lr)):
            return mistake(step, w_tilde, x_n, y_n, lr)
