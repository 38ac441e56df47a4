"""XOR with hand-set two-layer networks, and the decision-regions widget of lesson 04.

A network here has 2 inputs, 2 hidden units and 1 output, batch first like every
Dense layer in the course: ``h = phi(X @ W1 + b1)``, ``y_hat = phi(h @ W2 + b2)`` with
``W1 (2, 2)`` (``W1[i, j]`` from input ``i`` to hidden unit ``j``), ``b1 (2,)``,
``W2 (2, 1)``, ``b2 (1,)``. The activation ``phi`` is the sigmoid or the decks' sign
threshold, ``sign(z) = +1`` if ``z >= 0`` else ``-1``.
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import sigmoid, sign
from dlcourse.checks import check_array

# Inputs and labels of the sigmoid construction: XOR on {0, 1}.
XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
XOR_TARGETS = np.array([0, 1, 1, 0])

# Deck construction 1: hidden OR = sigmoid(20 x1 + 20 x2 - 10),
# NAND = sigmoid(-20 x1 - 20 x2 + 30), output AND = sigmoid(20 h1 + 20 h2 - 30).
SIGMOID_XOR = {
    "W1": np.array([[20.0, -20.0], [20.0, -20.0]]),
    "b1": np.array([-10.0, 30.0]),
    "W2": np.array([[20.0], [20.0]]),
    "b2": np.array([-30.0]),
}

# Deck construction 2: the points (1/2 or 3/2, 1/2 or 3/2) with labels in {-1, +1};
# z1 = x1 + x2 - 3/2, z2 = x1 + x2 - 5/2, z3 = h1 - h2 - 1 (the slide's o; it printed
# o = h1 + h2 - 1).
SIGN_INPUTS = np.array([[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [1.5, 1.5]])
SIGN_TARGETS = np.array([-1, 1, 1, -1])
SIGN_XOR = {
    "W1": np.array([[1.0, 1.0], [1.0, 1.0]]),
    "b1": np.array([-1.5, -2.5]),
    "W2": np.array([[1.0], [-1.0]]),
    "b2": np.array([-1.0]),
}
SIGN_XOR_AS_PRINTED = {**SIGN_XOR, "W2": np.array([[1.0], [1.0]])}


UNITS = {"sigmoid": sigmoid, "sign": sign}


def xor_net(X, params, unit="sigmoid"):
    """Forward pass of a 2-2-1 network; returns ``(hidden h (N, 2), output y_hat (N,))``."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    X = check_array("X", X, shape=(None, 2), dtype_kind="fiu")
    W1 = check_array("W1", params["W1"], shape=(2, 2), dtype_kind="fi")
    b1 = check_array("b1", params["b1"], shape=(2,), dtype_kind="fi")
    W2 = check_array("W2", params["W2"], shape=(2, 1), dtype_kind="fi")
    b2 = check_array("b2", params["b2"], shape=(1,), dtype_kind="fi")
    phi = UNITS[unit]
    hidden = phi(X @ W1 + b1)
    return hidden, phi(hidden @ W2 + b2)[:, 0]


def classify(output, unit="sigmoid"):
    """Predicted class of each output: 1/0 for sigmoid (threshold 0.5), +1/-1 for sign."""
    if unit == "sigmoid":
        return (np.asarray(output) >= 0.5).astype(int)
    return sign(output).astype(int)


def xor_problem(unit):
    """The four points and their labels for a unit: XOR on {0,1} for sigmoid, the decks' grid for sign."""
    return (XOR_INPUTS, XOR_TARGETS) if unit == "sigmoid" else (SIGN_INPUTS, SIGN_TARGETS)


def decision_regions(params, unit="sigmoid", extent=(-0.5, 2.0), resolution=101):
    """The network's class on a square grid: ``(grid_x, grid_y, classes)``, each (R, R)."""
    ticks = np.linspace(extent[0], extent[1], resolution)
    grid_x, grid_y = np.meshgrid(ticks, ticks)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    _, out = xor_net(points, params, unit)
    return grid_x, grid_y, classify(out, unit).reshape(grid_x.shape)


def params_from_values(w11, w12, w21, w22, b1, b2, v1, v2, c):
    """Network parameters from nine numbers, named as lesson 04's sliders.

    ``w_ij`` is the weight from input ``i`` to hidden unit ``j`` (the course's W_ij,
    ``W1[i-1, j-1]``), ``b1, b2`` the hidden biases, ``v1, v2`` the output weights
    (``W2``) and ``c`` the output bias (``b2``).
    """
    return {
        "W1": np.array([[w11, w12], [w21, w22]], dtype=np.float64),
        "b1": np.array([b1, b2], dtype=np.float64),
        "W2": np.array([[v1], [v2]], dtype=np.float64),
        "b2": np.array([c], dtype=np.float64),
    }


def evaluate_xor(params, unit="sigmoid"):
    """Outputs and classes on the four XOR points, and whether all four are right."""
    X, y = xor_problem(unit)
    hidden, out = xor_net(X, params, unit)
    predicted = classify(out, unit)
    return {
        "hidden": hidden,
        "output": out,
        "predicted": predicted,
        "accuracy": float(np.mean(predicted == y)),
        "solves_xor": bool(np.all(predicted == y)),
    }


def xor_widget(start=SIGMOID_XOR, unit="sigmoid"):
    """Sliders for the nine weights of a 2-2-1 network, drawing its decision regions.

    ``widget.result`` holds what ``evaluate_xor`` returns for the current weights.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    names = ["w11", "w12", "w21", "w22", "b1", "b2", "v1", "v2", "c"]
    values = [*np.ravel(start["W1"]), *start["b1"], *np.ravel(start["W2"]), *start["b2"]]

    fig = Figure(figsize=(5, 4.5))
    ax = fig.subplots()
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    # the points labelled 1 (circles) and the others (crosses); their edges are vermilion (C1) where the network is wrong
    circles = ax.scatter([], [], s=160, marker="o", c="black", linewidths=3)
    crosses = ax.scatter([], [], s=160, marker="X", c="black", linewidths=3)
    regions = []  # the filled contours of the classes, drawn anew for each input
    picture = figures.Picture(fig)

    def show(unit, **weights):
        params = params_from_values(**weights)
        result = evaluate_xor(params, unit)
        X, y = xor_problem(unit)
        grid_x, grid_y, classes = decision_regions(params, unit)
        for drawn in regions:
            drawn.remove()
        regions[:] = [ax.contourf(grid_x, grid_y, classes, levels=[-1.5, 0.5, 1.5], colors=["#9ecae1", "#fdae6b"],
                                  zorder=0)]
        edges = np.where(result["predicted"] != y, figures.VERMILION, "black")
        for points, labelled_one in ((circles, y > 0), (crosses, y <= 0)):
            points.set_offsets(X[labelled_one])
            points.set_edgecolors(edges[labelled_one])
        verdict = "solves XOR" if result["solves_xor"] else f"{result['accuracy']:.0%} of XOR right"
        low = 0 if unit == "sigmoid" else -1
        ax.set_title(f"{unit} units: {verdict}\n(orange: class 1, blue: class {low}; o label 1, x label {low})")
        picture.draw()
        return result

    sliders = {
        name: widgets.FloatSlider(value=float(v), min=-40, max=40, step=0.5, description=name)
        for name, v in zip(names, values)
    }
    unit_menu = widgets.Dropdown(options=list(UNITS), value=unit, description="unit")
    return figures.interactive(show, picture, unit=unit_menu, **sliders)
