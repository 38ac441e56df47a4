"""The decks' one-hidden-layer example as a computational graph: values forward, gradients back.

One example ``x (2,)`` goes through ``z = x @ W1 + b1`` (``W1 (2, 2)``: ``W1[i, j]``
is the weight from input ``i`` to hidden unit ``j``), ``h = sigmoid(z)``,
``z_out = h @ w2 + b2`` and an output ``y_hat``: either linear (``y_hat = z_out``, loss
``L = (y_hat - y)^2 / 2``, as in the MLP deck) or sigmoid (``y_hat = sigmoid(z_out)``,
cross-entropy ``L = -[y log y_hat + (1 - y) log(1 - y_hat)]``, as in the backprop deck).
The label ``y`` is the argument ``target``. Lesson 05 writes the output weights ``w2``
and bias ``b2`` as ``v = (v1, v2)`` and ``c``, as lesson 04 does.
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import sigmoid
from dlcourse.checks import check_array

# The MLP deck's worked example: x = (0.5, 0.5), label y = 1, learning rate 0.1.
# Hidden unit 1 has weights (1, 1) and bias 0, unit 2 has (0, 1) and bias -2 (so
# the columns of W1, one per hidden unit, are (1, 1) and (0, 1)); the output weights
# and bias are all 1.
DECK_EXAMPLE = {
    "x": np.array([0.5, 0.5]),
    "target": 1.0,
    "W1": np.array([[1.0, 0.0], [1.0, 1.0]]),
    "b1": np.array([0.0, -2.0]),
    "w2": np.array([1.0, 1.0]),
    "b2": 1.0,
}
DECK_LEARNING_RATE = 0.1

# What the slides printed, under the deck's names: w_j^(2) are the output weights with
# w_0 the bias; w_ji^(1) is the weight into hidden unit j from input i, with w_j0 the
# bias. The deck's w_ji is the course's W_ij = W1[i-1, j-1] (see deck_notation).
SLIDE_PRINTED = {
    "h1": 0.269, "h2": 0.818, "y_hat": 2.087,
    "w1": 1.029, "w2": 1.089, "w0": 1.109,
    "w11": 1.011, "w12": 1.011, "w10": 0.021,
    "w21": -0.005, "w22": 0.995, "w20": -1.984,
}

OUTPUTS = ("linear", "sigmoid")


def forward_backward(x, target, W1, b1, w2, b2, output="linear"):
    """Every node's value on the way forward and the loss's gradient on the way back.

    ``target`` is the label ``y``. Returns ``{"values": {...}, "grads": {...}}``
    with the nodes ``x``, ``z`` (hidden pre-activations), ``h``, ``z_out`` (output
    pre-activation), ``y_hat`` and ``loss``; the gradient of each node or parameter
    ``p`` is stored as ``grads[p] = dL/dp``.
    """
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {OUTPUTS}, got {output!r}")
    x = check_array("x", x, shape=(2,), dtype_kind="fi").astype(np.float64)
    W1 = check_array("W1", W1, shape=(2, 2), dtype_kind="fi").astype(np.float64)
    b1 = check_array("b1", b1, shape=(2,), dtype_kind="fi").astype(np.float64)
    w2 = check_array("w2", w2, shape=(2,), dtype_kind="fi").astype(np.float64)
    if output == "sigmoid" and not 0 <= target <= 1:
        raise ValueError(f"with a sigmoid output the label y must lie in [0, 1], got {target}")

    y = target
    z = x @ W1 + b1
    h = sigmoid(z)
    z_out = float(h @ w2 + b2)
    if output == "linear":
        y_hat = z_out
        loss = 0.5 * (y_hat - y) ** 2
        dy_hat = y_hat - y
        dz_out = dy_hat                               # dy_hat/dz_out = 1
    else:
        y_hat = float(sigmoid(z_out))
        loss = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
        dy_hat = -y / y_hat + (1 - y) / (1 - y_hat)
        dz_out = dy_hat * y_hat * (1 - y_hat)         # simplifies to y_hat - y
    dh = dz_out * w2
    dz = dh * h * (1 - h)
    values = {"x": x, "z": z, "h": h, "z_out": z_out, "y_hat": y_hat, "loss": float(loss)}
    grads = {
        "y_hat": float(dy_hat), "z_out": float(dz_out), "h": dh, "z": dz,
        "x": W1 @ dz, "W1": np.outer(x, dz), "b1": dz, "w2": dz_out * h, "b2": float(dz_out),
    }
    return {"values": values, "grads": grads}


def sgd_step(params, grads, learning_rate):
    """New parameters ``p - learning_rate * dL/dp`` for W1, b1, w2, b2 (others kept)."""
    new = dict(params)
    for name in ("W1", "b1", "w2", "b2"):
        new[name] = params[name] - learning_rate * grads[name]
    return new


def deck_notation(params):
    """Rename parameters to the slide's names (w1, w2, w0, w11, ..., w20).

    The deck writes ``w_ji`` for the weight into hidden unit ``j`` from input ``i``, the
    reverse of the course's ``W_ij`` (from ``i`` to ``j``): the deck's ``w12`` is our
    ``W_21 = W1[1, 0]``. Its ``w1, w2, w0`` are the output weights ``w2[0], w2[1]``
    and the bias ``b2`` (lesson 05's ``v1, v2, c``).
    """
    W1, b1, w2 = params["W1"], params["b1"], params["w2"]
    return {
        "w1": w2[0], "w2": w2[1], "w0": params["b2"],
        "w11": W1[0, 0], "w12": W1[1, 0], "w10": b1[0],
        "w21": W1[0, 1], "w22": W1[1, 1], "w20": b1[1],
    }


def graph_widget(params=DECK_EXAMPLE):
    """Sliders for the input, the label y and the output weights v1, v2 (``w2``); draws
    the graph with values (black) and gradients dL/d(node) (vermilion). ``widget.result`` is
    ``forward_backward``'s dict.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    positions = {"x1": (0, 1), "x2": (0, 0), "z1": (1, 1), "z2": (1, 0), "h1": (2, 1),
                 "h2": (2, 0), "z_out": (3, 0.5), "y_hat": (4, 0.5), "L": (5, 0.5)}
    edges = [("x1", "z1"), ("x1", "z2"), ("x2", "z1"), ("x2", "z2"), ("z1", "h1"),
             ("z2", "h2"), ("h1", "z_out"), ("h2", "z_out"), ("z_out", "y_hat"), ("y_hat", "L")]

    fig = Figure(figsize=(12, 3.8))
    ax = fig.subplots()
    for start, end in edges:
        (x0, y0), (x1_, y1_) = positions[start], positions[end]
        ax.plot([x0, x1_], [y0, y1_], color="0.7", zorder=0)
    ax.scatter(*zip(*positions.values()), s=2600, color="white", edgecolors="black", zorder=1)
    value_texts, grad_texts = {}, {}
    for name, (px, py) in positions.items():
        ax.text(px, py + 0.08, name.replace("y_hat", "ŷ"), ha="center", fontsize=11, weight="bold")
        value_texts[name] = ax.text(px, py - 0.03, "", ha="center", fontsize=9)
        grad_texts[name] = ax.text(px, py - 0.13, "", ha="center", fontsize=9, color=figures.VERMILION)
    parameters_text = ax.text(0, -0.45, "", fontsize=9)
    ax.set_xlim(-0.5, 5.5)
    ax.set_ylim(-0.6, 1.35)
    ax.axis("off")
    picture = figures.Picture(fig)

    def show(x1, x2, target, v1, v2, output):
        try:
            result = forward_backward([x1, x2], target, params["W1"], params["b1"],
                                      [v1, v2], params["b2"], output)
        except ValueError as error:
            print(error)
            return None
        values, grads = result["values"], result["grads"]
        labels = {
            "x1": (values["x"][0], grads["x"][0]), "x2": (values["x"][1], grads["x"][1]),
            "z1": (values["z"][0], grads["z"][0]), "z2": (values["z"][1], grads["z"][1]),
            "h1": (values["h"][0], grads["h"][0]), "h2": (values["h"][1], grads["h"][1]),
            "z_out": (values["z_out"], grads["z_out"]), "y_hat": (values["y_hat"], grads["y_hat"]),
            "L": (values["loss"], 1.0),
        }
        for name, (value, grad) in labels.items():
            value_texts[name].set_text(f"{value:.4f}")
            grad_texts[name].set_text(f"{grad:+.4f}")
        parameters_text.set_text(
            f"W1 = {params['W1'].tolist()}, b1 = {params['b1'].tolist()}, "
            f"v = [{v1}, {v2}], c = {params['b2']};  dL/dv = {np.round(grads['w2'], 4)}, "
            f"dL/dW1 = {np.round(grads['W1'], 4).tolist()}")
        ax.set_title(f"{output} output: values (black) and gradients dL/d(node) (vermilion)")
        picture.draw()
        return result

    slider = dict(min=-3.0, max=3.0, step=0.1)
    return figures.interactive(
        show,
        picture,
        x1=widgets.FloatSlider(value=float(params["x"][0]), description="x1", **slider),
        x2=widgets.FloatSlider(value=float(params["x"][1]), description="x2", **slider),
        target=widgets.FloatSlider(value=float(params["target"]), description="label y", **slider),
        v1=widgets.FloatSlider(value=float(params["w2"][0]), description="v1", **slider),
        v2=widgets.FloatSlider(value=float(params["w2"][1]), description="v2", **slider),
        output=widgets.Dropdown(options=OUTPUTS, value="linear", description="output"),
    )
