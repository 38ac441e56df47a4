"""LSTM and GRU layers in NumPy that load Keras weights, and the decks' memory LSTM.

Weights are Keras's ``layer.get_weights()``: ``W (D, kH)`` (``kernel``), ``U (H, kH)``
(``recurrent_kernel``, which plays the part of the vanilla RNN's ``Wh``), ``b``.
LSTM (k = 4), gate blocks in the order ``[i, f, g, o]`` (Keras calls g "c")::

    i = sigmoid(x W_i + h U_i + b_i)     f, o likewise      g = tanh(x W_g + h U_g + b_g)
    c_t = f * c_{t-1} + i * g            h_t = o * tanh(c_t)

GRU (k = 3), blocks ``[z, r, n]`` (``z`` is the update gate, Keras's name). Keras's
default ``reset_after=True`` (``b (2, 3H)``: input and recurrent biases) resets *after*
the recurrent product; ``reset_after=False`` (``b (3H,)``, the Cho et al. 2014 form in
the decks) resets the state *before* it::

    z = sigmoid(x W_z + h U_z + b_z)     r likewise
    n = tanh(x W_n + b_n + r * (h U_n + b'_n))     (reset_after=True)
    n = tanh(x W_n + (r * h) U_n + b_n)            (reset_after=False)
    h_t = z * h_{t-1} + (1 - z) * n
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import sigmoid
from dlcourse.checks import check_array
from dlcourse.images import rewrite_values, write_values

CELL_ACTIVATIONS = {"tanh": np.tanh, "linear": lambda z: z}
GATES = ("i", "f", "g", "o")


def _cell_activation(name):
    if name not in CELL_ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(CELL_ACTIVATIONS)}, got {name!r}")
    return CELL_ACTIVATIONS[name]


def _check(X, W, U, gates, bias_shape):
    """Validate inputs and weights of a layer with ``gates`` blocks; return float64 arrays."""
    X = check_array("X", X, shape=(None, None, None), dtype_kind="fi").astype(np.float64)
    W = check_array("W (kernel)", W, shape=(X.shape[2], None), dtype_kind="fi")
    if W.shape[1] % gates:
        raise ValueError(f"W (kernel) should have {gates} * units columns, got {W.shape[1]}")
    units = W.shape[1] // gates
    U = check_array("U (recurrent kernel)", U, shape=(units, gates * units), dtype_kind="fi")
    return X, W.astype(np.float64), U.astype(np.float64), units, bias_shape(units)


def _initial(name, value, n, units):
    if value is None:
        return np.zeros((n, units))
    return check_array(name, value, shape=(n, units), dtype_kind="fi").astype(np.float64)


def lstm_step(x, h_prev, c_prev, W, U, b, activation="tanh"):
    """One LSTM step: returns ``h, c`` and the gates ``{"i", "f", "g", "o"}``."""
    act = _cell_activation(activation)
    z = x @ W + h_prev @ U + b                # the four blocks of pre-activations
    i, f, g, o = np.split(z, 4, axis=-1)
    gates = {"i": sigmoid(i), "f": sigmoid(f), "g": act(g), "o": sigmoid(o)}
    c = gates["f"] * c_prev + gates["i"] * gates["g"]
    h = gates["o"] * act(c)
    return h, c, gates


def lstm_forward(X, W, U, b, h0=None, c0=None, activation="tanh"):
    """Run an LSTM over ``X (N, T, D)``.

    Returns ``H (N, T, H)``, ``C (N, T, H)`` and the gates, each ``(N, T, H)``.
    ``activation`` is Keras's ``activation`` (used for g and for the output);
    ``"linear"`` gives the hand-wired memory cell of the decks.
    """
    X, W, U, units, _ = _check(X, W, U, 4, lambda u: (4 * u,))
    b = check_array("b (bias)", b, shape=(4 * units,), dtype_kind="fi").astype(np.float64)
    h, c = _initial("h0", h0, len(X), units), _initial("c0", c0, len(X), units)
    H, C, G = [], [], {k: [] for k in GATES}
    for t in range(X.shape[1]):
        h, c, gates = lstm_step(X[:, t], h, c, W, U, b, activation)
        H.append(h)
        C.append(c)
        for k in GATES:
            G[k].append(gates[k])
    return (np.stack(H, axis=1), np.stack(C, axis=1),
            {k: np.stack(v, axis=1) for k, v in G.items()})


def gru_step(x, h_prev, W, U, b, reset_after=True):
    """One GRU step in Keras's layout: returns ``h`` and ``{"z", "r", "n"}``."""
    b_in, b_rec = (b[0], b[1]) if reset_after else (b, np.zeros_like(b))
    xz, xr, xn = np.split(x @ W + b_in, 3, axis=-1)
    Uz, Ur, Un = np.split(U, 3, axis=-1)
    bz, br, bn = np.split(b_rec, 3)
    z = sigmoid(xz + h_prev @ Uz + bz)
    r = sigmoid(xr + h_prev @ Ur + br)
    if reset_after:
        n = np.tanh(xn + r * (h_prev @ Un + bn))
    else:
        n = np.tanh(xn + (r * h_prev) @ Un)
    h = z * h_prev + (1 - z) * n
    return h, {"z": z, "r": r, "n": n}


def gru_forward(X, W, U, b, h0=None, reset_after=True):
    """Run a GRU over ``X (N, T, D)``; returns ``H (N, T, H)`` and the gates."""
    shape = (lambda u: (2, 3 * u)) if reset_after else (lambda u: (3 * u,))
    X, W, U, units, bias_shape = _check(X, W, U, 3, shape)
    b = check_array(f"b (bias, reset_after={reset_after})", b, shape=bias_shape,
                    dtype_kind="fi").astype(np.float64)
    h = _initial("h0", h0, len(X), units)
    H, G = [], {k: [] for k in "zrn"}
    for t in range(X.shape[1]):
        h, gates = gru_step(X[:, t], h, W, U, b, reset_after)
        H.append(h)
        for k in G:
            G[k].append(gates[k])
    return np.stack(H, axis=1), {k: np.stack(v, axis=1) for k, v in G.items()}


# The decks' memory task: x2 = 1 adds x1 to the memory, x2 = -1 resets it,
# x3 = 1 outputs it. "memory" is the content *before* each step, as the slide prints it.
MEMORY_TABLE = {
    "memory": [0, 0, 3, 3, 7, 7, 7, 0, 6],
    "x1": [1, 3, 2, 4, 2, 1, 3, 6, 1],
    "x2": [0, 1, 0, 1, 0, 0, -1, 1, 0],
    "x3": [0, 0, 0, 0, 0, 1, 0, 0, 1],
    "y": [0, 0, 0, 0, 0, 7, 0, 0, 6],
}


def memory_table_inputs():
    """The table's inputs as ``X (1, 9, 3)`` (features x1, x2, x3)."""
    return np.array([[MEMORY_TABLE[k] for k in ("x1", "x2", "x3")]], dtype=np.float64).transpose(0, 2, 1)


def memory_lstm_weights(scale=2000.0):
    """Hand-set Keras-layout weights ``(W, U, b)`` of a one-unit linear-activation LSTM.

    g = x1; i = sigmoid(s (x2 - 1/2)) opens on x2 = 1; f = sigmoid(s (x2 + 1/2)) closes
    on x2 = -1; o = sigmoid(s (x3 - 1/2)) opens on x3 = 1. With ``scale`` 2000 every
    gate sees |pre-activation| >= 1000, where e^-1000 underflows: the gates are exactly
    0 or 1 and the cell holds exact integers.
    """
    W = np.zeros((3, 4))  # rows x1, x2, x3; columns i, f, g, o
    W[1, 0], W[1, 1], W[0, 2], W[2, 3] = scale, scale, 1.0, scale
    b = np.array([-scale / 2, scale / 2, 0.0, -scale / 2])
    return W, np.zeros((1, 4)), b


def gate_trace(X, W, U, b, activation="tanh"):
    """Gates, cell state and output of one sequence ``X (T, D)``, each ``(T, H)``.

    Also ``"memory"``: the cell state before each step (c_{t-1}).
    """
    X = check_array("sequence", X, shape=(None, None), dtype_kind="fi")
    H, C, gates = lstm_forward(X[None], W, U, b, activation=activation)
    trace = {k: v[0] for k, v in gates.items()}
    trace.update(c=C[0], h=H[0], memory=np.vstack([np.zeros((1, C.shape[2])), C[0, :-1]]))
    return trace


def parse_sequence(text, features):
    """Rows of numbers, one line per input feature, into an array ``(T, features)``."""
    rows = [line.replace(",", " ").split() for line in text.strip().splitlines() if line.strip()]
    if len(rows) != features:
        raise ValueError(f"type {features} lines of numbers (one per input), got {len(rows)}")
    if len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ValueError("every line needs the same number of values (one per time step)")
    try:
        values = np.array([[float(v) for v in r] for r in rows]).T
    except ValueError as error:
        raise ValueError(f"could not read a number: {error}") from None
    if not np.all(np.isfinite(values)):
        raise ValueError("every value must be a finite number")
    return values


def _write_numbers(ax, shown, values):
    """The numbers written on a small map's cells (none on a large map)."""
    if values.shape[1] <= 12 and values.size <= 60:
        return write_values(ax, shown, values, ".2g", fontsize=8)
    return []


def heat_map(ax, values, row_names, title, cmap, vmin=None, vmax=None):
    """Rows of values over time; small maps get their numbers written in.

    Returns the image and the written numbers, for :func:`refill_heat_map`.
    """
    shown = ax.imshow(values, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    every = -(-len(row_names) // 12)  # at most about 12 row labels
    ax.set_yticks(range(0, len(row_names), every), row_names[::every])
    ax.set_title(title)
    return shown, _write_numbers(ax, shown, values)


def refill_heat_map(shown, numbers, values, vmin, vmax):
    """Put new ``values`` (same rows, any number of steps) in a map made by :func:`heat_map`.

    Returns its written numbers: the same texts, or new ones if the number of steps changed.
    """
    resized = shown.get_array().shape != values.shape
    shown.set_data(values)
    shown.set_clim(vmin, vmax)
    if not resized:
        rewrite_values(numbers, shown, values, ".2g")
        return numbers
    rows, steps = values.shape
    shown.set_extent((-0.5, steps - 0.5, rows - 0.5, -0.5))
    for text in numbers:
        text.remove()
    return _write_numbers(shown.axes, shown, values)


def gate_activation_widget(W=None, U=None, b=None, X=None, activation=None):
    """Step through a sequence and see the gates, the candidate, c and h of an LSTM.

    With no arguments: the hand-wired memory LSTM on the decks' table (edit the three
    lines to type another sequence; the plots follow as you type, and a line that is not
    complete yet shows a message). ``widget.result`` holds the ``trace`` (see
    :func:`gate_trace`) and the values at the chosen ``step``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    if W is None:
        W, U, b = memory_lstm_weights()
        X = memory_table_inputs()[0]
        activation = activation or "linear"
    activation = activation or "tanh"
    X = check_array("X", X, shape=(None, W.shape[0]), dtype_kind="fi")
    text = "\n".join(" ".join(f"{v:g}" for v in column) for column in X.T)

    def map_values(seq, trace):
        """Each heat map's values and colour limits: inputs, gates i, f, o, candidate g."""
        gates = np.vstack([trace[k].T for k in ("i", "f", "o")])
        limit = max(np.abs(trace["g"]).max(), 1e-12)
        return [(seq.T, seq.min(), seq.max()), (gates, 0, 1), (trace["g"].T, -limit, limit)]

    # The figure is made once, for the sequence in the text box.
    seq = parse_sequence(text, W.shape[0])
    trace = gate_trace(seq, W, U, b, activation)
    drawn = {"sequence": text, "seq": seq, "trace": trace}
    units = trace["c"].shape[1]
    fig = Figure(figsize=(15, 4))
    axes = fig.subplots(1, 4)
    inputs_ax, state_ax = axes[0], axes[3]
    row_names = ([f"x{k + 1}" for k in range(seq.shape[1])], [f"{k}{u}" for k in "ifo" for u in range(units)],
                 [f"g{u}" for u in range(units)])
    titles = ("inputs", "gates i, f, o (0 = closed, 1 = open)", f"candidate g ({activation})")
    cmaps = ("coolwarm", "viridis", "coolwarm")
    maps = [heat_map(ax, values, names, title, cmap, vmin, vmax)  # (image, written numbers) of each map
            for ax, (values, vmin, vmax), names, title, cmap
            in zip(axes, map_values(seq, trace), row_names, titles, cmaps)]
    cell_lines = [state_ax.plot(trace["c"][:, u], "-o", ms=3, color="C0", label="cell c_t" if u == 0 else None)[0]
                  for u in range(units)]
    output_lines = [state_ax.plot(trace["h"][:, u], "--s", ms=3, color="C3", label="output h_t" if u == 0 else None)[0]
                    for u in range(units)]
    legend = state_ax.legend()
    step_lines = [ax.axvline(0, color="k", lw=1.5) for ax in axes]
    for ax in axes:
        ax.set_xlabel("time step t (0-based)")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))  # whole steps

    # Drawn in layers: a new step redraws only its lines, titles and the legend (over the
    # lines), a new sequence of the same length the maps' cells and the curves too, a new
    # length everything.
    sequence_layer = []
    step_layer = [*step_lines, inputs_ax.title, state_ax.title, legend]
    canvas = figures.layered_canvas(fig, [sequence_layer, step_layer])
    picture = figures.Picture(fig)

    def fill_sequence_layer():
        """The maps' images, frames (drawn over the images) and numbers, and the curves' axes."""
        sequence_layer[:] = [artist for shown, numbers in maps
                             for artist in (shown, *shown.axes.spines.values(), *numbers)] + [state_ax]

    fill_sequence_layer()

    def redraw_sequence(seq, trace):
        """Put a new sequence's values in the heat maps and the curves."""
        resized = len(seq) != maps[0][0].get_array().shape[1]
        for i, (values, vmin, vmax) in enumerate(map_values(seq, trace)):
            shown, numbers = maps[i]
            maps[i] = shown, refill_heat_map(shown, numbers, values, vmin, vmax)
        for u in range(units):
            cell_lines[u].set_data(np.arange(len(seq)), trace["c"][:, u])
            output_lines[u].set_data(np.arange(len(seq)), trace["h"][:, u])
        state_ax.relim()
        state_ax.autoscale_view()
        if resized:  # new axis limits and numbers: redraw the whole figure
            fill_sequence_layer()
            canvas.changed()
        else:
            canvas.changed(0)

    def show(sequence, step):
        new_sequence = sequence != drawn["sequence"]
        if new_sequence:
            try:
                seq = parse_sequence(sequence, W.shape[0])
            except ValueError as error:
                print(f"Cannot read the sequence: {error}")
                return None
            drawn.update(sequence=sequence, seq=seq, trace=gate_trace(seq, W, U, b, activation))
        seq, trace = drawn["seq"], drawn["trace"]
        step = min(step, len(seq) - 1)
        for line in step_lines:  # moved first: the curves' new limits count the step's line
            line.set_xdata([step, step])
        if new_sequence:
            redraw_sequence(seq, trace)
        shown_step = ", ".join(f"{v:g}" for v in seq[step])
        inputs_ax.set_title(f"inputs; x at step {step} = [{shown_step}]")
        shown_c = np.round(trace["c"][step, :4], 2).tolist()
        state_ax.set_title(f"cell state and output at step {step}:\nc = {shown_c}" + (" ..." if units > 4 else ""))
        picture.draw()
        return {"trace": trace, "step": step, "at_step": {k: trace[k][step] for k in trace}}

    return figures.interactive(
        show,
        picture,
        sequence=widgets.Textarea(value=text, description="inputs", continuous_update=True,
                                  layout=widgets.Layout(width="60%", height="80px")),
        step=widgets.IntSlider(value=0, min=0, max=max(len(X) - 1, 0), description="step"),
    )
