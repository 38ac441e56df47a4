"""Lesson 09's "your turn" checks: the backward pass of a 1-D cross-correlation, and which
pixels overlapping pooling windows share."""

import numpy as np

from dlcourse import conv
from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.exercises import exercise


def _correlate_gradients(x, w, dout):
    """Numerical (dx, dw) of L = sum(dout * correlate1d(x, w))."""
    loss = lambda x_, w_: np.sum(dout * np.correlate(x_, w_, "valid"))  # noqa: E731
    return numerical_gradient(lambda v: loss(v, w), x.copy()), numerical_gradient(lambda v: loss(x, v), w.copy())


def _judge_gradient(name, got, expected, mistake, mistake_hint):
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return (f"{name} has shape {got.shape}, but it needs one entry per entry of {name[1:]}, "
                f"shape {expected.shape}: the inputs near the ends get gradient too, from fewer windows")
    if rel_error(got, expected) < 1e-6:
        return None
    if rel_error(got, mistake) < 1e-6:
        return mistake_hint
    return (f"{name} differs from a numerical gradient (relative error {rel_error(got, expected):.1e}): "
            f"write z_0, z_1, z_2 out by hand and collect every term that holds one {name[1:]} entry")


@exercise(
    task="write correlate1d_backward(dout, x, w), returning (dx, dw) for z_t = sum_k w_k x_(t+k)",
    right=lambda dout, x, w: (np.convolve(dout, w, "full"), np.correlate(x, dout, "valid")),
    wrong=lambda dout, x, w: (np.correlate(np.pad(dout, len(w) - 1), w, "valid"), np.correlate(x, dout, "valid")),
    praise="dx is dout convolved (flipped) with w in 'full' mode, dw is x correlated with dout",
)
def check_correlate1d_backward(correlate1d_backward):
    rng = np.random.default_rng(9)
    x, w = rng.standard_normal(9), rng.standard_normal(3)
    dout = rng.standard_normal(len(x) - len(w) + 1)
    result = correlate1d_backward(dout.copy(), x.copy(), w.copy())
    if not isinstance(result, tuple) or len(result) != 2:
        return "return the tuple (dx, dw)"
    dx, dw = _correlate_gradients(x, w, dout)
    unflipped_dx = np.correlate(np.pad(dout, len(w) - 1), w, "valid")
    return (_judge_gradient("dx", result[0], dx, unflipped_dx,
                            "dx slides w over dout the wrong way round: x_s meets w_k in z_(s-k), "
                            "so which dout entry goes with w_0, and which with w_2?")
            or _judge_gradient("dw", result[1], dw, np.correlate(x, dout, "valid")[::-1],
                               "dw comes out reversed: w_k multiplies x_(t+k) in every z_t"))


@exercise(
    task="set shared to the 0-based rows of a 7-row input that two 3x3 max-pooling windows (stride 2) share",
    right=[2, 4],
    wrong=[1, 3, 5],
    praise="rows 2 and 4 each lie in two windows, and the gradients they receive add up",
)
def check_shared_rows(shared):
    starts = range(0, conv.output_size(7, 3, 0, 2) * 2, 2)
    expected = {row for row in range(7) if sum(start <= row < start + 3 for start in starts) == 2}
    try:
        answer = {int(row) for row in shared}
    except (TypeError, ValueError):
        return "give a list of row numbers, such as [0, 6]"
    if answer == expected:
        return None
    return (f"rows {sorted(answer)} are not the shared ones: the windows start at rows 0, 2 and 4 "
            "(stride 2) and each covers 3 rows; count the windows over each row")
