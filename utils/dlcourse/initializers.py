"""Weight initialisation: zeros, random normal, Xavier/Glorot and He, and what they do.

A deep MLP (``mlp_forward``/``mlp_backward``, softmax cross-entropy on top) lets us
watch activations and gradients layer by layer (``layer_statistics``), train with
each scheme (``train_mlp``, the decks' comparison) and look at per-layer histograms
(``histogram_widget``). Weights are ``W (fan_in, fan_out)``, as in ``X @ W + b``.
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import ACTIVATIONS, softmax
from dlcourse.checks import check_array

SCHEMES = ("zeros", "normal", "lecun", "xavier", "he")

# The settings of the histogram widget: name -> (scheme, std for "normal").
PRESETS = {
    "zeros": ("zeros", None),
    "normal(0.01)": ("normal", 0.01),
    "normal(1)": ("normal", 1.0),
    "xavier": ("xavier", None),
    "he": ("he", None),
}


def init_variance(scheme, fan_in, fan_out, std=0.01):
    """Variance of the weights that ``scheme`` draws for a (fan_in, fan_out) layer."""
    if scheme == "zeros":
        return 0.0
    if scheme == "normal":
        return std**2
    if scheme == "lecun":
        return 1.0 / fan_in
    if scheme == "xavier":
        return 2.0 / (fan_in + fan_out)
    if scheme == "he":
        return 2.0 / fan_in
    raise ValueError(f"unknown scheme {scheme!r}; choose one of {SCHEMES}")


def init_weights(scheme, fan_in, fan_out, rng, std=0.01, distribution="normal"):
    """A (fan_in, fan_out) weight matrix drawn by ``scheme``.

    ``distribution="uniform"`` draws from [-r, r] with r = sqrt(3 variance), which
    has the same variance as the normal version (e.g. r = sqrt(6/(fan_in+fan_out))
    for Xavier, sqrt(6/fan_in) for He).
    """
    variance = init_variance(scheme, fan_in, fan_out, std)
    if distribution == "normal":
        return rng.normal(0.0, np.sqrt(variance), size=(fan_in, fan_out))
    if distribution == "uniform":
        limit = np.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    raise ValueError(f"distribution must be 'normal' or 'uniform', got {distribution!r}")


def init_network(sizes, scheme, rng, std=0.01):
    """Weights and zero biases ``[(W1, b1), ...]`` for layer sizes ``[D, H1, ..., K]``."""
    return [
        (init_weights(scheme, fan_in, fan_out, rng, std), np.zeros(fan_out))
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    ]


def mlp_forward(x, params, activation="relu"):
    """Logits of an MLP: ``activation`` after every layer but the last.

    Returns ``(logits, cache)``; ``cache`` holds ``(input, pre-activation)`` per layer.
    """
    f, _ = ACTIVATIONS[activation]
    a = check_array("x", x, shape=(None, params[0][0].shape[0]), dtype_kind="fiu")
    a = a.astype(np.float64)
    cache = []
    for index, (w, b) in enumerate(params):
        z = a @ w + b
        cache.append((a, z))
        a = z if index == len(params) - 1 else f(z)
    return a, cache


def mlp_backward(dlogits, params, cache, activation="relu"):
    """Gradients ``[(dW1, db1), ...]`` from the gradient of the loss w.r.t. the logits."""
    _, df = ACTIVATIONS[activation]
    grads = []
    dz = dlogits
    for index in reversed(range(len(params))):
        a_prev, _ = cache[index]
        grads.append((a_prev.T @ dz, dz.sum(axis=0)))
        if index > 0:
            dz = (dz @ params[index][0].T) * df(cache[index - 1][1])
    return grads[::-1]


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of integer labels ``y`` and its gradient w.r.t. the logits."""
    y = check_array("y", y, shape=(logits.shape[0],), dtype_kind="iu")
    p = softmax(logits)
    n = logits.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), y] + 1e-300))
    dlogits = p.copy()
    dlogits[np.arange(n), y] -= 1.0
    return loss, dlogits / n


def layer_statistics(x, y, depth=6, width=128, preset="xavier", activation="tanh", seed=0):
    """Forward and backward once through a fresh deep MLP; report every hidden layer.

    The net has ``depth`` hidden layers of ``width`` units and a softmax output.
    Returns a dict with, per hidden layer, ``activations`` (arrays), ``act_mean``,
    ``act_std``, ``weight_grads`` (dL/dW arrays), ``grad_mean`` and ``grad_std``.
    """
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {list(PRESETS)}")
    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be at least 1, got {depth} and {width}")
    scheme, std = PRESETS[preset]
    rng = np.random.default_rng(seed)
    classes = int(np.max(y)) + 1
    params = init_network([x.shape[1]] + [width] * depth + [classes], scheme, rng, std)
    logits, cache = mlp_forward(x, params, activation)
    loss, dlogits = softmax_cross_entropy(logits, y)
    grads = mlp_backward(dlogits, params, cache, activation)
    hidden = [a for a, _ in cache[1:]]
    weight_grads = [dw for dw, _ in grads[:-1]]
    return {
        "loss": loss,
        "activations": hidden,
        "act_mean": [float(a.mean()) for a in hidden],
        "act_std": [float(a.std()) for a in hidden],
        "weight_grads": weight_grads,
        "grad_mean": [float(g.mean()) for g in weight_grads],
        "grad_std": [float(g.std()) for g in weight_grads],
    }


def train_mlp(x, y, sizes, scheme, activation="relu", lr=0.01, iterations=1000, seed=0,
              std=0.01, x_test=None, y_test=None, record_every=100):
    """Full-batch gradient descent from ``scheme``'s initial weights.

    Returns a dict: ``params``, ``loss`` (recorded every ``record_every`` iterations,
    with ``steps``), ``train_acc`` and, when a test set is given, ``test_acc``.
    """
    rng = np.random.default_rng(seed)
    params = init_network(sizes, scheme, rng, std)
    losses, steps = [], []
    for step in range(iterations + 1):
        logits, cache = mlp_forward(x, params, activation)
        loss, dlogits = softmax_cross_entropy(logits, y)
        if step % record_every == 0 or step == iterations:
            losses.append(loss)
            steps.append(step)
        if step == iterations:
            break
        grads = mlp_backward(dlogits, params, cache, activation)
        params = [(w - lr * dw, b - lr * db) for (w, b), (dw, db) in zip(params, grads)]
    result = {"params": params, "loss": np.array(losses), "steps": np.array(steps),
              "train_acc": accuracy(params, x, y, activation)}
    if x_test is not None:
        result["test_acc"] = accuracy(params, x_test, y_test, activation)
    return result


def accuracy(params, x, y, activation="relu"):
    """Fraction of examples whose largest logit is the label."""
    logits, _ = mlp_forward(x, params, activation)
    return float(np.mean(np.argmax(logits, axis=1) == y))


def sideways_outline(values, position, value_range=None, bins=40):
    """Corners ``(x, y)`` of the histogram of ``values`` drawn sideways: centred on
    x = ``position``, its tallest bin 0.8 wide; ``value_range`` (low, high) fixes the bins' range
    (values outside it are left out)."""
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    half_width = np.repeat(0.4 * counts / max(counts.max(), 1), 2)
    y = np.repeat(edges, 2)[1:-1]
    left, right = position - half_width, position + half_width
    return np.column_stack([np.concatenate([left, right[::-1]]), np.concatenate([y, y[::-1]])])


def sideways_histogram(ax, values, position, color, value_range=None, bins=40):
    """Draw the histogram of ``values`` on ``ax`` sideways (see ``sideways_outline``).

    Returns its ``Polygon``: ``polygon.set_xy(sideways_outline(...))`` redraws it with other values.
    """
    from matplotlib.patches import Polygon

    return ax.add_patch(Polygon(sideways_outline(values, position, value_range, bins), color=color, linewidth=0))


def snapped_limits(values, fixed=None):
    """Axis limits ``(low, high)`` that hold every layer's ``values`` within three standard
    deviations of their mean, on steps of 1, 2 or 5 x 10^k: they move only when the values
    cross a step, not at every change. ``low`` is 0 for values that are never negative,
    ``-high`` otherwise; ``fixed`` (a number) gives ``(-fixed, fixed)``."""
    if fixed is not None:
        return -fixed, fixed
    top = max(abs(float(v.mean())) + 3 * float(v.std()) for v in values)
    if top == 0:
        return -1.0, 1.0
    decade = 10.0 ** np.floor(np.log10(top))
    high = next(step * decade for step in (1, 2, 5, 10) if step * decade >= top)
    return (0.0 if min(float(v.min()) for v in values) >= 0 else -high), high


def histogram_widget(x, y, width=128, max_depth=10, examples=128):
    """Pick an initialisation, an activation and a depth; see per-layer histograms.

    Left: each hidden layer's activations; right: its weight gradients dL/dW. Each layer's
    histogram is drawn sideways at its layer number (all layers on one scale, so shrinking
    or growing values show), with bars at its mean ± one standard deviation; the standard
    deviations are printed under the picture. The statistics come
    from the first ``examples`` rows of ``x`` (128 already give smooth histograms; more
    only slow every input down). The axes are drawn once and redrawn only when a scale
    crosses a 1-2-5 step (``snapped_limits``); an input redraws the histograms, bars and title.
    ``widget.result`` is the dict of ``layer_statistics`` (``act_std``, ``grad_std``...).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure
    from threadpoolctl import ThreadpoolController

    x, y = x[:examples], y[:examples]
    blas = ThreadpoolController()  # matrices this small are quicker on one thread, and spare the browser's core
    fig = Figure(figsize=(12, 4.4))
    title = fig.suptitle("")
    panels = []  # (axes, its histograms (one per possible layer, hidden while unused), its mean ± std marks)
    for ax, (name, value), color in zip(fig.subplots(1, 2), (("activations", "activation value"),
                                       ("weight gradients dL/dW", "gradient value")), ("C0", "C1")):
        histograms = [sideways_histogram(ax, [0.0], layer + 1, color) for layer in range(max_depth)]
        spread, = ax.plot([], [], "_", color="black", markersize=16, markeredgewidth=2)
        ax.set_xticks(range(1, max_depth + 1))
        ax.set_xlim(0.4, max_depth + 0.6)
        ax.set(xlabel="hidden layer (black bars: mean ± one standard deviation)", ylabel=value,
               title=f"{name}, per layer")
        panels.append((ax, histograms, spread))
    canvas = figures.layered_canvas(fig, [[title, *(artist for _, h, spread in panels for artist in (*h, spread))]])
    picture = figures.Picture(fig)

    def show(preset, activation, depth):
        with blas.limit(limits=1, user_api="blas"):
            stats = layer_statistics(x, y, depth, width, preset, activation)
        fixed = 1.05 if activation in ("tanh", "sigmoid") else None
        drawn = [(stats["activations"], stats["act_mean"], stats["act_std"], fixed),
                 (stats["weight_grads"], stats["grad_mean"], stats["grad_std"], None)]
        for (ax, histograms, spread), (values, means, stds, limit) in zip(panels, drawn):
            low, high = snapped_limits(values, limit)
            if ax.get_ylim() != (low, high):
                ax.set_ylim(low, high)
                canvas.changed()
            for layer, histogram in enumerate(histograms):
                histogram.set_visible(layer < depth)
                if layer < depth:
                    histogram.set_xy(sideways_outline(values[layer].ravel(), layer + 1, (low, high)))
            means, stds = np.array(means), np.array(stds)
            spread.set_data(np.repeat(np.arange(1, depth + 1), 2), np.column_stack([means - stds, means + stds]).ravel())
        title.set_text(f"{preset} initialisation, {activation}, {depth} hidden layers of {width}")
        picture.draw()
        print("standard deviation per layer, activations:", " ".join(f"{std:.2g}" for std in stats["act_std"]))
        print("standard deviation per layer, gradients:  ", " ".join(f"{std:.2g}" for std in stats["grad_std"]))
        return stats

    return figures.interactive(
        show,
        picture,
        preset=widgets.Dropdown(options=list(PRESETS), value="xavier", description="init"),
        activation=widgets.Dropdown(options=["tanh", "relu", "sigmoid"], value="tanh",
                                    description="activation"),
        depth=widgets.IntSlider(value=6, min=1, max=max_depth, description="depth"),
    )
