"""Lesson 06's "your turn": the largest learning rate at which plain gradient descent on the
narrow valley does not diverge, judged by running it."""

import numbers

import numpy as np

from dlcourse import surfaces
from dlcourse.exercises import exercise

VALLEY_LOSS, VALLEY_GRAD, VALLEY_START, _ = surfaces.SURFACES["narrow valley"]
MARGIN = 0.03  # the answer must be within 3 % of the true limit


def diverges(lr, steps=2000):
    """Whether plain gradient descent (``surfaces.optimize``, "SGD") on the valley diverges within
    ``steps``, by the rule the lesson's widget uses (``surfaces.diverged``: the loss grows a
    hundredfold, or the parameters overflow)."""
    return bool(surfaces.optimize(VALLEY_LOSS, VALLEY_GRAD, VALLEY_START, "SGD", lr, steps=steps)["message"])


@exercise(
    task="set largest_stable_lr to the largest learning rate at which plain GD on the narrow valley does not diverge",
    right=2 / 10,
    wrong=2 / 0.1,
    praise="just below it GD converges (zig-zagging across the steep axis), just above it diverges",
)
def check_largest_stable_lr(largest_stable_lr):
    if (isinstance(largest_stable_lr, bool) or not isinstance(largest_stable_lr, numbers.Real)
            or not np.isfinite(largest_stable_lr) or largest_stable_lr <= 0):
        return f"give one positive number, got {largest_stable_lr!r}"
    lr = float(largest_stable_lr)
    if diverges((1 - MARGIN) * lr):
        hint = f"too large: at {1 - MARGIN:.0%} of it ({(1 - MARGIN) * lr:.4g}) gradient descent already diverges"
        if np.isclose(lr, 2 / 0.1, rtol=MARGIN):
            hint += "; 2/0.1 is the flat axis's limit, but every axis must shrink, the steep one too"
        elif np.isclose(lr, 2 * 1.9 / 10, rtol=MARGIN):
            hint += "; 2(1 + beta)/c is the limit with momentum, and plain GD has none"
        return hint
    if not diverges((1 + MARGIN) * lr):
        hint = f"too small: at {1 + MARGIN:.0%} of it ({(1 + MARGIN) * lr:.4g}) gradient descent still does not diverge"
        if np.isclose(lr, 1 / 10, rtol=MARGIN):
            hint += "; 1/c reaches the steep axis's minimum in one step, and larger rates overshoot but still shrink"
        return hint
