"""The perceptron: the sign update with the bias trick, the decks' sigmoid neuron
trained by gradient descent, and the one-weight model y_hat = w x.

Labels for the sign perceptron are -1 and +1. Weights carry the bias first:
``w = [b, w_1, ..., w_D]`` acts on ``[1, x_1, ..., x_D]`` (the bias trick), so the
pre-activation is ``z = w . [1, x]``. Notation as in docs/NOTATION.md: the threshold
unit is sign(z) = +1 if z >= 0, else -1, and a margin y z <= 0 is a mistake for
either label.
"""

import numpy as np

from . import figures
from .activations import sigmoid, sign
from .checks import check_array


def add_bias(X):
    """Prepend a column of ones to X (N, D), giving (N, D + 1)."""
    X = check_array("X", X, shape=(None, None), dtype_kind="fiu").astype(np.float64)
    return np.hstack([np.ones((X.shape[0], 1)), X])


def perceptron_predict(w, X):
    """The threshold unit sign(z) for each row of X (N, D), with z = w . [1, x] and w of
    shape (D + 1,): +1 where z >= 0, else -1 (so sign(0) = +1, as in the decks;
    scikit-learn's Perceptron predicts the negative class at z = 0)."""
    Xb = add_bias(X)
    w = check_array("w", w, shape=(Xb.shape[1],), dtype_kind="fiu")
    return sign(Xb @ w).astype(int)


def perceptron_update(w, x, y, lr=1.0):
    """One perceptron step on example (x, y), y in {-1, +1}.

    A mistake is a margin y * w.[1, x] <= 0, for either label: a point on the
    boundary counts, even though sign(0) = +1 (``perceptron_predict``) predicts +1
    there. A mistake moves the weights by lr * y * [1, x]; a correct point leaves
    them alone.
    Returns (new weights, whether it was a mistake).
    """
    x = check_array("x", x, shape=(None,), dtype_kind="fiu")
    w = check_array("w", w, shape=(x.size + 1,), dtype_kind="fiu").astype(np.float64)
    if y not in (-1, 1):
        raise ValueError(f"labels must be -1 or +1, got {y!r}")
    xb = np.concatenate([[1.0], x])
    if y * (w @ xb) <= 0:
        return w + lr * y * xb, True
    return w, False


def train_perceptron(X, y, w0=None, lr=1.0, max_epochs=20):
    """Cycle through the examples in order, updating on mistakes.

    Stops after the first epoch without a mistake (converged) or after
    ``max_epochs``. Returns a dict: ``w`` (final weights), ``history`` (weights
    after every visited example, the start first), ``mistakes`` (per epoch),
    ``converged``.
    """
    X = check_array("X", X, shape=(None, None), dtype_kind="fiu")
    y = check_array("y", y, shape=(X.shape[0],), dtype_kind="fiu")
    w = np.zeros(X.shape[1] + 1) if w0 is None else np.asarray(w0, dtype=np.float64)
    history, mistakes = [w.copy()], []
    for _ in range(max_epochs):
        count = 0
        for x_n, y_n in zip(X, y):
            w, mistake = perceptron_update(w, x_n, int(y_n), lr)
            count += mistake
            history.append(w.copy())
        mistakes.append(count)
        if count == 0:
            break
    return {"w": w, "history": np.array(history), "mistakes": mistakes,
            "converged": mistakes[-1] == 0}


def sigmoid_neuron_step(w, b, x, t, lr):
    """One gradient-descent step of the decks' neuron y_hat = sigmoid(z), z = b + w.x, on
    an example x with label ``t`` (the label y of docs/NOTATION.md), loss
    L = (y_hat - t)^2 / 2.

    dL/dw_i = (y_hat - t) * y_hat (1 - y_hat) * x_i and dL/db = (y_hat - t) * y_hat (1 - y_hat).
    Returns a dict with the forward values ``z``, ``y_hat`` and ``loss``, the gradients
    ``grad_w``, ``grad_b`` and the new ``w``, ``b``.
    """
    x = check_array("x", x, shape=(None,), dtype_kind="fiu").astype(np.float64)
    w = check_array("w", w, shape=x.shape, dtype_kind="fiu").astype(np.float64)
    z = b + w @ x
    y_hat = float(sigmoid(z))
    delta = (y_hat - t) * y_hat * (1.0 - y_hat)
    grad_w, grad_b = delta * x, delta
    return {"z": z, "y_hat": y_hat, "loss": 0.5 * (y_hat - t) ** 2, "grad_w": grad_w, "grad_b": grad_b,
            "w": w - lr * grad_w, "b": b - lr * grad_b}


def fit_wx(x, y, w0=0.0, lr=0.01, steps=50):
    """Full-batch gradient descent on L(w) = mean((y - w x)^2) / 2 for y_hat = w x.

    dL/dw = -mean((y - w x) x). Returns (weights per step, losses per step),
    each of length steps + 1. Diverges when lr > 2 / mean(x^2).
    """
    x = check_array("x", x, shape=(None,), dtype_kind="fiu").astype(np.float64)
    y = check_array("y", y, shape=x.shape, dtype_kind="fiu").astype(np.float64)
    ws, losses, w = [], [], float(w0)
    for _ in range(steps + 1):
        residual = y - w * x
        ws.append(w)
        losses.append(0.5 * np.mean(residual ** 2))
        w = w + lr * np.mean(residual * x)
    return np.array(ws), np.array(losses)


def least_squares_w(x, y):
    """The exact minimiser of mean((y - w x)^2): w* = sum(x y) / sum(x^2)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(x @ y / (x @ x))


def perceptron_widget(X, y, lr=1.0, max_epochs=10):
    """A slider over the perceptron's visits: points, the example just visited and the
    decision boundary after that step. ``widget.result`` holds ``w``, ``step``,
    ``mistake`` (whether this step updated) and ``converged`` (of the whole run).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    run = train_perceptron(X, y, lr=lr, max_epochs=max_epochs)
    history = run["history"]
    lo, hi = X.min(axis=0) - 1, X.max(axis=0) + 1

    fig = Figure(figsize=(5, 5))
    ax = fig.subplots()
    for label, marker in [(1, "o"), (-1, "x")]:
        pts = X[y == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=80, label=f"y = {label:+d}")
    visited = ax.scatter([], [], s=300, facecolors="none", edgecolors="C1", label="just visited")
    boundary, = ax.plot([], [], "k-", label="boundary z = 0")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="upper left", fontsize=8)
    picture = figures.Picture(fig)

    def show(step):
        w = history[step]
        mistake = step > 0 and not np.array_equal(w, history[step - 1])
        visited.set_offsets(X[(step - 1) % len(X)][None] if step > 0 else np.empty((0, 2)))
        xs = np.linspace(lo[0], hi[0], 2)
        if abs(w[2]) > 1e-12:
            boundary.set_data(xs, -(w[0] + w[1] * xs) / w[2])
        elif abs(w[1]) > 1e-12:
            boundary.set_data([-w[0] / w[1]] * 2, [lo[1], hi[1]])
        else:
            boundary.set_data([], [])
        status = "update" if mistake else "no change"
        ax.set_title(f"step {step}: w = {np.round(w, 2)} ({status})")
        picture.draw()
        if step == len(history) - 1:
            outcome = "converged" if run["converged"] else f"no convergence in {max_epochs} epochs"
            print(f"last step: {outcome}")
        return {"w": w, "step": step, "mistake": bool(mistake), "converged": run["converged"]}

    return figures.interactive(
        show, picture, step=widgets.IntSlider(value=0, min=0, max=len(history) - 1, description="step"))
