"""A vanilla (Elman) RNN in NumPy: forward, backpropagation through time, clipping.

Shapes are batch first and weights are laid out as Keras's ``SimpleRNN`` lays them
out, so the same numbers can be loaded into both::

    z_t = x_t @ Wx + h_{t-1} @ Wh + b        x_t (N, D), Wx (D, H), Wh (H, H), b (H,)
    h_t = phi(z_t)                           X (N, T, D)  ->  H (N, T, H)

``Wx`` and ``Wh`` are Keras's ``kernel`` and ``recurrent_kernel`` (``W`` and ``U`` in
:mod:`dlcourse.lstm`). The decks write the same thing with column vectors,
``h_t = tanh(W_hh h_{t-1} + W_xh x_t)``: their ``W_hh`` is our ``Wh.T``.
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import relu, relu_derivative, tanh, tanh_derivative
from dlcourse.checks import check_array

ACTIVATIONS = {
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "linear": (lambda z: np.asarray(z, dtype=np.float64), np.ones_like),
}


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _check_weights(X, Wx, Wh, b):
    X = check_array("X", X, shape=(None, None, None), dtype_kind="fi")
    n_in = X.shape[2]
    Wx = check_array("Wx", Wx, shape=(n_in, None), dtype_kind="fi")
    hidden = Wx.shape[1]
    Wh = check_array("Wh", Wh, shape=(hidden, hidden), dtype_kind="fi")
    b = check_array("b", b, shape=(hidden,), dtype_kind="fi")
    return X, Wx, Wh, b


def rnn_forward(X, Wx, Wh, b, h0=None, activation="tanh"):
    """All hidden states ``H (N, T, H)`` and a cache for :func:`rnn_backward`."""
    X, Wx, Wh, b = _check_weights(X, Wx, Wh, b)
    phi, _ = _activation(activation)
    n, steps, _ = X.shape
    h = np.zeros((n, Wh.shape[0])) if h0 is None else check_array("h0", h0, shape=(n, Wh.shape[0]))
    H, Z = [], []
    h_start = h
    for t in range(steps):
        z = X[:, t] @ Wx + h @ Wh + b
        h = phi(z)
        Z.append(z)
        H.append(h)
    H = np.stack(H, axis=1)
    cache = {"X": X, "Wx": Wx, "Wh": Wh, "h0": h_start, "Z": np.stack(Z, axis=1),
             "H": H, "activation": activation}
    return H, cache


def bidirectional_rnn_forward(X, forward, backward, activation="tanh"):
    """One bidirectional layer: ``X (N, T, D)`` -> ``(N, T, 2H)``, the forward state
    and the backward state of each step side by side, as ``keras.layers.Bidirectional``
    (``merge_mode="concat"``) puts them.

    ``forward`` and ``backward`` are ``(Wx, Wh, b)`` triples of two RNNs; the backward
    one reads the sequence from the last step to the first.
    """
    H_forward, _ = rnn_forward(X, *forward, activation=activation)
    H_backward, _ = rnn_forward(np.asarray(X)[:, ::-1], *backward, activation=activation)
    return np.concatenate([H_forward, H_backward[:, ::-1]], axis=-1)


def deep_bidirectional_rnn_forward(X, layers, activation="tanh"):
    """Stacked bidirectional layers: layer l reads the ``(N, T, 2H)`` output of layer l - 1.

    ``layers`` is a list of ``(forward, backward)`` pairs of ``(Wx, Wh, b)`` triples; the
    first layer's ``Wx`` has D rows, every later one 2H (both directions of the layer below).
    Returns the last layer's output ``(N, T, 2H)``.
    """
    if not layers:
        raise ValueError("layers must hold at least one (forward, backward) pair")
    for forward, backward in layers:
        X = bidirectional_rnn_forward(X, forward, backward, activation)
    return X


def rnn_backward(dH, cache, truncate=None):
    """Backpropagation through time.

    ``dH (N, T, H)`` holds dL/dh_t for the loss terms that read h_t directly (zeros
    except the last step for a many-to-one model). Returns a dict with the gradients
    ``dX, dh0, dWx, dWh, db`` and ``dh``: the total dL/dh_t at every step. Inside,
    ``dz`` is delta_t = dL/dz_t = dh_t * phi'(z_t).

    ``truncate=k`` is truncated BPTT: the sequence is cut into chunks of k steps and
    no gradient flows from one chunk into the one before it (the forward pass still
    carries the hidden state across). Step 0 starts a chunk, so ``dh0`` is then zero.
    """
    X, Wx, Wh, Z, H = cache["X"], cache["Wx"], cache["Wh"], cache["Z"], cache["H"]
    dH = check_array("dH", dH, shape=H.shape, dtype_kind="fi")
    if truncate is not None and truncate < 1:
        raise ValueError(f"truncate must be a positive number of steps, got {truncate}")
    _, dphi = _activation(cache["activation"])
    steps = X.shape[1]
    dX = np.zeros_like(X, dtype=np.float64)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dh_total = np.zeros_like(H)
    dh_next = np.zeros_like(H[:, 0])
    for t in reversed(range(steps)):
        dh_total[:, t] = dH[:, t] + dh_next
        dz = dh_total[:, t] * dphi(Z[:, t])
        h_prev = H[:, t - 1] if t > 0 else cache["h0"]
        dWx += X[:, t].T @ dz
        dWh += h_prev.T @ dz
        db += dz.sum(axis=0)
        dX[:, t] = dz @ Wx.T
        dh_next = dz @ Wh.T
        if truncate is not None and t % truncate == 0:
            dh_next = np.zeros_like(dh_next)
    return {"dX": dX, "dh0": dh_next, "dWx": dWx, "dWh": dWh, "db": db, "dh": dh_total}


def step_jacobian(z, Wh, activation="tanh"):
    """The recurrent Jacobian dh_t/dh_{t-1} (H, H) of one sample: diag(phi'(z_t)) Wh.T."""
    z = check_array("z", z, shape=(None,), dtype_kind="fi")
    Wh = check_array("Wh", Wh, shape=(len(z), len(z)), dtype_kind="fi")
    _, dphi = _activation(activation)
    return dphi(z)[:, None] * Wh.T


def spectral_radius(W):
    """Largest absolute eigenvalue of a square matrix."""
    W = check_array("W", W, shape=(None, None), dtype_kind="fi")
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"the spectral radius needs a square matrix, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W, radius):
    """``W`` rescaled so that its spectral radius is ``radius``."""
    return np.asarray(W, dtype=np.float64) * (radius / spectral_radius(W))


def global_norm(grads):
    """sqrt of the sum of squares of every entry of every array in ``grads``."""
    return float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))


def clip_by_global_norm(grads, max_norm):
    """Scale all gradients by ``max_norm / norm`` when their global norm exceeds it.

    Returns ``(clipped, norm)`` with ``norm`` the global norm before clipping, as
    ``tf.clip_by_global_norm`` does. The direction of the update never changes.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm}")
    grads = [check_array(f"grads[{k}]", g, dtype_kind="fi") for k, g in enumerate(grads)]
    norm = global_norm(grads)
    scale = max_norm / norm if norm > max_norm else 1.0
    return [g * scale for g in grads], norm


def gradient_norm_profile(radius, activation="tanh", init="random", steps=60,
                          hidden=32, inputs=4, seed=0):
    """||dL/dh_t|| for t = 1..T when the loss reads only h_T (L = v . h_T, |v| = 1).

    ``init="random"``: Wh Gaussian rescaled to spectral radius ``radius``;
    ``init="identity"``: Wh = radius * I (the identity trick is radius 1 with ReLU).
    Returns ``(norms, Wh)``; ``norms[t]`` belongs to step t + 1.
    """
    if not radius > 0:
        raise ValueError(f"the spectral radius must be positive, got {radius}")
    if init not in ("random", "identity"):
        raise ValueError(f"init must be 'random' or 'identity', got {init!r}")
    rng = np.random.default_rng(seed)
    if init == "identity":
        Wh = radius * np.eye(hidden)
    else:
        Wh = scale_to_spectral_radius(rng.normal(size=(hidden, hidden)), radius)
    Wx = rng.normal(scale=1 / np.sqrt(inputs), size=(inputs, hidden))
    X = rng.normal(size=(1, steps, inputs))
    H, cache = rnn_forward(X, Wx, Wh, np.zeros(hidden), activation=activation)
    dH = np.zeros_like(H)
    v = rng.normal(size=hidden)
    dH[0, -1] = v / np.linalg.norm(v)
    with np.errstate(over="ignore", invalid="ignore"):
        grads = rnn_backward(dH, cache)
    return np.linalg.norm(grads["dh"][0], axis=1), Wh


def gradient_norm_widget():
    """Controls for the spectral radius, activation, initialisation and length.

    Plots ||dL/dh_t|| against the number of steps back from the loss (log scale) and
    the eigenvalues of Wh with the unit circle. ``widget.result`` holds ``norms``,
    ``radius`` (measured on Wh) and ``ratio`` = ||dL/dh_1|| / ||dL/dh_T||.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 4.2))
    norm_ax, eig_ax = fig.subplots(1, 2)
    norm_ax.set_yscale("log")
    norm_line, = norm_ax.plot([], [], "o-", ms=3, label="||dL/dh_t||")
    linear_line, = norm_ax.plot([], [], "--", color="gray",
                                label="radius ** steps back (linear RNN, in the long run)")
    norm_ax.set_xlabel("steps back from the loss (T - t)")
    norm_ax.set_ylabel("||dL/dh_t|| (log scale)")
    norm_ax.legend()
    circle = np.linspace(0, 2 * np.pi, 200)
    eig_ax.plot(np.cos(circle), np.sin(circle), color="gray")
    eig_points = eig_ax.scatter([], [], s=12)
    eig_ax.set_aspect("equal")
    eig_ax.set_title("eigenvalues of Wh and the unit circle")
    eig_ax.set_xlabel("real part")
    eig_ax.set_ylabel("imaginary part")
    picture = figures.Picture(fig)

    def show(radius, activation, init, steps):
        norms, Wh = gradient_norm_profile(radius, activation, init, steps)
        if not np.all(np.isfinite(norms)):
            print("The gradient overflowed to inf/nan: lower the radius or the length.")
            return None
        back = np.arange(steps)[::-1]
        norm_line.set_data(back, np.maximum(norms, 1e-300))
        linear_line.set_data(back, radius ** back.astype(float))
        norm_ax.set_title(f"{activation}, {init} Wh, spectral radius {radius:.2f}")
        eig = np.linalg.eigvals(Wh)
        eig_points.set_offsets(np.column_stack([eig.real, eig.imag]))
        norm_ax.relim()
        norm_ax.autoscale_view()
        eig_ax.relim()  # the circle
        eig_ax.update_datalim(eig_points.get_offsets())  # relim leaves out scatter points
        eig_ax.autoscale_view()
        picture.draw()
        ratio = float(norms[0] / norms[-1])
        print(f"||dL/dh_1|| / ||dL/dh_T|| = {ratio:.3g}")
        return {"norms": norms, "radius": spectral_radius(Wh), "ratio": ratio}

    return figures.interactive(
        show,
        picture,
        radius=widgets.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05, description="radius"),
        activation=widgets.Dropdown(options=["tanh", "relu", "linear"], value="tanh",
                                    description="activation"),
        init=widgets.Dropdown(options=["random", "identity"], value="random", description="Wh"),
        steps=widgets.IntSlider(value=60, min=10, max=200, step=10, description="length T"),
    )
