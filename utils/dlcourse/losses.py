"""Loss functions and their derivatives with respect to the prediction, and the
activation & loss explorer.

All losses are per example, elementwise (no mean): ``loss(y_hat, y)`` is the loss
ell of docs/NOTATION.md, with the prediction y_hat first and the label y second, and
has the shape of its inputs; ``*_derivative`` is d ell / d y_hat. Probabilities must
lie in (0, 1).
"""

import numpy as np

from . import activations, figures
from .checks import numerical_gradient


def _pair(y_hat, y):
    y_hat = np.asarray(y_hat, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y_hat.shape != y.shape:
        raise ValueError(f"prediction shape {y_hat.shape} and label shape {y.shape} differ")
    return y_hat, y


def quadratic(y_hat, y):
    """(y_hat - y)^2 / 2."""
    y_hat, y = _pair(y_hat, y)
    return 0.5 * (y_hat - y) ** 2


def quadratic_derivative(y_hat, y):
    """y_hat - y."""
    y_hat, y = _pair(y_hat, y)
    return y_hat - y


def _probabilities(y_hat):
    if np.any((y_hat <= 0) | (y_hat >= 1)):
        raise ValueError("cross-entropy needs predicted probabilities strictly between 0 and 1")


def cross_entropy(y_hat, y):
    """Binary cross-entropy -(y log y_hat + (1 - y) log(1 - y_hat)), note the minus."""
    y_hat, y = _pair(y_hat, y)
    _probabilities(y_hat)
    return -(y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat))


def cross_entropy_derivative(y_hat, y):
    """-y / y_hat + (1 - y) / (1 - y_hat) = (y_hat - y) / (y_hat (1 - y_hat))."""
    y_hat, y = _pair(y_hat, y)
    _probabilities(y_hat)
    return -y / y_hat + (1 - y) / (1 - y_hat)


def categorical_cross_entropy(p, t, axis=-1):
    """-sum_k y_k log p_k along ``axis``, for probabilities p and the label y given as
    ``t``: one-hot, or a distribution."""
    p, t = _pair(p, t)
    _probabilities(p)
    return -np.sum(t * np.log(p), axis=axis)


def softmax_cross_entropy_gradient(z, t, axis=-1):
    """Gradient of -sum_k y_k log softmax(z)_k with respect to the logits z: p - y, with
    p = softmax(z) and the label y given as ``t`` (one-hot, or any y summing to one)."""
    return activations.softmax(z, axis=axis) - np.asarray(t, dtype=np.float64)


def l1(y_hat, y):
    """|y_hat - y|."""
    y_hat, y = _pair(y_hat, y)
    return np.abs(y_hat - y)


def l1_derivative(y_hat, y):
    """sgn(y_hat - y), the mathematical sign (np.sign, 0 at the kink), not the threshold unit."""
    y_hat, y = _pair(y_hat, y)
    return np.sign(y_hat - y)


def l2(y_hat, y):
    """(y_hat - y)^2."""
    y_hat, y = _pair(y_hat, y)
    return (y_hat - y) ** 2


def l2_derivative(y_hat, y):
    """2 (y_hat - y)."""
    y_hat, y = _pair(y_hat, y)
    return 2.0 * (y_hat - y)


def zero_one(y_hat, y):
    """1 where the margin y * y_hat <= 0 for a score y_hat and a label y in {-1, +1}, else 0.

    A score of exactly 0 counts as a mistake for either label, as in the perceptron."""
    y_hat, y = _pair(y_hat, y)
    return (y * y_hat <= 0).astype(np.float64)


def zero_one_derivative(y_hat, y):
    """0 everywhere it exists: the 0-1 loss gives gradient descent nothing to follow."""
    y_hat, _ = _pair(y_hat, y)
    return np.zeros_like(y_hat)


def hinge(y_hat, y):
    """max(0, 1 - y y_hat) for labels y in {-1, +1}."""
    y_hat, y = _pair(y_hat, y)
    return np.maximum(0.0, 1.0 - y * y_hat)


def hinge_derivative(y_hat, y):
    """-y where y y_hat < 1, else 0 (0 is taken at the kink)."""
    y_hat, y = _pair(y_hat, y)
    return np.where(y * y_hat < 1, -y, 0.0)


# name -> (f(z, y), f'(z, y), domain of z, allowed labels y) for the explorer: z is the
# pre-activation of an activation, or the prediction y_hat of a loss.
def _activation(name):
    f, df = activations.ACTIVATIONS[name]
    return (lambda z, y: f(z)), (lambda z, y: df(z)), (-5.0, 5.0), None


FUNCTIONS = {
    "sigmoid": _activation("sigmoid"),
    "tanh": _activation("tanh"),
    "relu": _activation("relu"),
    "quadratic": (quadratic, quadratic_derivative, (-2.0, 3.0), None),
    "cross-entropy": (cross_entropy, cross_entropy_derivative, (0.02, 0.98), (0.0, 1.0)),
    "L1": (l1, l1_derivative, (-2.0, 3.0), None),
    "L2": (l2, l2_derivative, (-2.0, 3.0), None),
    "0-1": (zero_one, zero_one_derivative, (-3.0, 3.0), (-1.0, 1.0)),
    "hinge": (hinge, hinge_derivative, (-3.0, 3.0), (-1.0, 1.0)),
}


def explore(name, z, target=1.0, h=1e-5):
    """Value, analytic derivative and central-difference derivative of FUNCTIONS[name]
    at the points z (the losses use the target, their label y). Returns a dict of arrays."""
    if name not in FUNCTIONS:
        raise ValueError(f"unknown function {name!r}; choose from {list(FUNCTIONS)}")
    f, df, _, targets = FUNCTIONS[name]
    if targets is not None and target not in targets:
        raise ValueError(f"{name} needs a target in {targets}, got {target}")
    z = np.array(z, dtype=np.float64)
    y = np.full_like(z, target)
    numerical = numerical_gradient(lambda v: float(np.sum(f(v, y))), z.copy(), h=h)
    return {"z": z, "value": f(z, y), "derivative": df(z, y), "numerical": numerical}


def explorer_widget():
    """Pick an activation or a loss, a target (the label y) and a point: plots the
    function, its derivative, and numerical derivatives on top. ``widget.result``
    holds the value, ``derivative`` and ``numerical`` at the chosen point (or
    ``message``)."""
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 3.8))
    value_ax, derivative_ax = fig.subplots(1, 2)
    value_curve, = value_ax.plot([], [])
    value_point, = value_ax.plot([], [], "o", color="C1")
    derivative_curve, = derivative_ax.plot([], [], label="analytic derivative")
    numerical_dots, = derivative_ax.plot([], [], "k.", ms=9, label="numerical (central diff.)")
    derivative_point, = derivative_ax.plot([], [], "o", color="C1")
    derivative_ax.legend()
    for ax in (value_ax, derivative_ax):
        ax.axhline(0, color="gray", lw=0.5)
        ax.set_xlabel("z (pre-activation) or y_hat (prediction)")
    value_ax.set_ylabel("value")
    derivative_ax.set_ylabel("derivative")
    picture = figures.Picture(fig)

    def show(name, target, point):
        f, df, (lo, hi), targets = FUNCTIONS[name]
        if targets is not None and target not in targets:
            print(f"{name} takes a target in {targets}; pick one of those.")
            return {"message": f"target must be in {targets}"}
        if not lo <= point <= hi:
            print(f"{name} is plotted on [{lo}, {hi}]; move the point into that range.")
            return {"message": f"point must be in [{lo}, {hi}]"}
        grid = np.linspace(lo, hi, 401)
        labels = np.full_like(grid, target)
        dots = explore(name, np.linspace(lo, hi, 14), target)  # 14 points miss the kinks at 0
        here = explore(name, [point], target)
        value_curve.set_data(grid, f(grid, labels))
        derivative_curve.set_data(grid, df(grid, labels))
        numerical_dots.set_data(dots["z"], dots["numerical"])
        value_point.set_data([point], here["value"])
        derivative_point.set_data([point], here["derivative"])
        value_ax.set_title(f"{name}" + ("" if targets is None and name in activations.ACTIVATIONS
                                        else f" (target {target:g})"))
        derivative_ax.set_title(f"derivative at {point:g}: {here['derivative'][0]:.4f}")
        for ax in (value_ax, derivative_ax):
            ax.relim()
            ax.autoscale_view()
        picture.draw()
        return {"value": float(here["value"][0]), "derivative": float(here["derivative"][0]),
                "numerical": float(here["numerical"][0])}

    return figures.interactive(
        show,
        picture,
        name=widgets.Dropdown(options=list(FUNCTIONS), value="sigmoid", description="function"),
        target=widgets.Dropdown(options=[1.0, 0.0, -1.0], value=1.0, description="target"),
        point=widgets.FloatSlider(value=0.5, min=-5, max=5, step=0.05, description="point"),
    )
