"""LSTM and GRU layers in NumPy that load Keras weights, and the decks' memory LSTM.

Weights are Keras's ``layer.get_weights()``: ``W (D, kH)`` (``kernel``), ``U (H, kH)``
(``recurrent_kernel``, which plays the part of the vanilla RNN's ``Wh``), ``b``.
LSTM (k = 4), gate blocks in the order ``[i, f, g, o]`` (Keras calls g "c")::

    i = sigmoid(x W_i + h U_i + b_i)     f, o likewise      g = tanh(x W_g + h U_g + b_g)
    c_t = f * c_{t-1} + i * g            h_t = o * tanh(c_t)

:func:`lstm_backward` is its backpropagation through time (lesson 12 derives it).

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


def lstm_backward(dH, X, W, U, b, h0=None, c0=None):
    """Backpropagation through time for the tanh LSTM of :func:`lstm_forward`.

    ``dH (N, T, H)`` holds dL/dh_t of the loss terms that read h_t directly; the forward
    pass is run again inside. Returns a dict with ``dX (N, T, D)``, ``dh0`` and ``dc0``
    ``(N, H)``, ``dW (D, 4H)``, ``dU (H, 4H)`` and ``db (4H,)``. At each step, from the
    last back, with ``dh`` and ``dc`` the total gradients at h_t and c_t::

        dc    = dc_next + dh * o * (1 - tanh(c_t)^2)
        delta = [dc g i(1-i), dc c_{t-1} f(1-f), dc i (1-g^2), dh tanh(c_t) o(1-o)]
        dW += x_t^T delta    dU += h_{t-1}^T delta    dx_t = delta W^T
        dh_next = delta U^T                           dc_next = dc * f
    """
    H, C, gates = lstm_forward(X, W, U, b, h0=h0, c0=c0)
    X, W, U, units, _ = _check(X, W, U, 4, lambda u: (4 * u,))
    dH = check_array("dH", dH, shape=H.shape, dtype_kind="fi")
    n, steps, _ = X.shape
    h0, c0 = _initial("h0", h0, n, units), _initial("c0", c0, n, units)
    dX, dW, dU, db = np.zeros_like(X), np.zeros_like(W), np.zeros_like(U), np.zeros(4 * units)
    dh_next, dc_next = np.zeros((n, units)), np.zeros((n, units))
    for t in reversed(range(steps)):
        i, f, g, o = (gates[k][:, t] for k in GATES)
        h_prev, c_prev = (H[:, t - 1], C[:, t - 1]) if t > 0 else (h0, c0)
        tanh_c = np.tanh(C[:, t])
        dh = dH[:, t] + dh_next
        dc = dc_next + dh * o * (1 - tanh_c ** 2)
        delta = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                dc * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
        dW += X[:, t].T @ delta
        dU += h_prev.T @ delta
        db += delta.sum(axis=0)
        dX[:, t] = delta @ W.T
        dh_next, dc_next = delta @ U.T, dc * f
    return {"dX": dX, "dh0": dh_next, "dc0": dc_next, "dW": dW, "dU": dU, "db": db}


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


def soften_gates(W, U, b, sharpness=1.0, forget_bias=0.0):
    """Copies of ``W (D, 4H), U (H, 4H), b (4H,)`` whose gate pre-activations are changed.

    The columns of the gates i, f and o are multiplied by ``sharpness`` (the candidate g
    is left alone), then ``forget_bias`` is added to the forget gate's bias. A large
    sharpness makes every gate 0 or 1; a small one leaves f below 1, and the cell leaks.
    """
    W = check_array("W (kernel)", W, shape=(None, None), dtype_kind="fi").astype(np.float64)
    if W.shape[1] % 4:
        raise ValueError(f"W (kernel) should have 4 * units columns, got {W.shape[1]}")
    units = W.shape[1] // 4
    U = check_array("U (recurrent kernel)", U, shape=(units, 4 * units), dtype_kind="fi").astype(np.float64)
    b = check_array("b (bias)", b, shape=(4 * units,), dtype_kind="fi").astype(np.float64)
    sigmoid_gates = np.r_[0:2 * units, 3 * units:4 * units]  # blocks i, f and o
    for weights in (W, U, b):
        weights[..., sigmoid_gates] *= sharpness
    b[units:2 * units] += forget_bias
    return W, U, b


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


def nice_limits(values, steps=(1, 1.5, 2, 3, 4, 5, 6, 8, 10)):
    """Axis limits ``(low, high)`` that hold ``values`` and 0, rounded out to a number of the
    form step * 10^k and padded by 5%: small changes of the values leave them as they are."""
    def round_out(v):
        if v <= 0:
            return 0.0
        scale = 10.0 ** np.floor(np.log10(v))
        return next(step * scale for step in steps if step * scale >= v * (1 - 1e-12))

    values = np.asarray(values, dtype=np.float64)
    low, high = -round_out(-values.min()), round_out(values.max())
    if low == high:
        low, high = -1.0, 1.0
    pad = 0.05 * (high - low)
    return low - pad, high + pad


# Choices of the gate widget's sharpness: the hand-wired cell from soft to exact (2000:
# every gate exactly 0 or 1, the decks' table), and a factor on other weights.
MEMORY_SHARPNESS = (1, 2, 3, 5, 10, 20, 2000)
SHARPNESS = (0.25, 0.5, 1, 2, 4)


def gate_activation_widget(W=None, U=None, b=None, X=None, activation=None):
    """Step through a sequence and see the gates, the candidate, c and h of an LSTM.

    With no arguments: the hand-wired memory LSTM on the decks' table (edit the three
    lines to type another sequence; the plots follow as you type, and a line that is not
    complete yet shows a message). ``sharpness`` and ``forget bias`` change the gates'
    pre-activations (see :func:`soften_gates`; the memory LSTM's sharpness is its scale s).
    ``widget.result`` holds the ``trace`` (see :func:`gate_trace`) and the values at the
    chosen ``step``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    sharpness_choices, sharpness = SHARPNESS, 1
    if W is None:
        W, U, b = memory_lstm_weights(scale=1.0)
        X = memory_table_inputs()[0]
        activation = activation or "linear"
        sharpness_choices, sharpness = MEMORY_SHARPNESS, MEMORY_SHARPNESS[-1]
    activation = activation or "tanh"
    X = check_array("X", X, shape=(None, W.shape[0]), dtype_kind="fi")
    text = "\n".join(" ".join(f"{v:g}" for v in column) for column in X.T)

    def trace_of(seq, sharpness, forget_bias):
        return gate_trace(seq, *soften_gates(W, U, b, sharpness, forget_bias), activation)

    def map_values(seq, trace):
        """Each heat map's values and colour limits: inputs, gates i, f, o, candidate g."""
        gates = np.vstack([trace[k].T for k in ("i", "f", "o")])
        limit = max(np.abs(trace["g"]).max(), 1e-12)
        return [(seq.T, seq.min(), seq.max()), (gates, 0, 1), (trace["g"].T, -limit, limit)]

    def gates_title(sharpness, forget_bias):
        return f"gates i, f, o (0 = closed, 1 = open)\nsharpness {sharpness:g}, forget bias {forget_bias + 0.0:.1f}"

    # The figure is made once, for the sequence in the text box.
    seq = parse_sequence(text, W.shape[0])
    trace = trace_of(seq, sharpness, 0.0)
    drawn = {"inputs": (text, sharpness, 0.0), "seq": seq, "trace": trace, "values": map_values(seq, trace)}
    units = trace["c"].shape[1]
    fig = Figure(figsize=(15, 4))
    axes = fig.subplots(1, 4)
    inputs_ax, gates_ax, state_ax = axes[0], axes[1], axes[3]
    row_names = ([f"x{k + 1}" for k in range(seq.shape[1])], [f"{k}{u}" for k in "ifo" for u in range(units)],
                 [f"g{u}" for u in range(units)])
    titles = ("inputs", gates_title(sharpness, 0.0), f"candidate g ({activation})")
    cmaps = ("coolwarm", "viridis", "coolwarm")
    maps = [heat_map(ax, values, names, title, cmap, vmin, vmax)  # (image, written numbers) of each map
            for ax, (values, vmin, vmax), names, title, cmap
            in zip(axes, drawn["values"], row_names, titles, cmaps)]
    cell_lines = [state_ax.plot(trace["c"][:, u], "-o", ms=3, color="C0", label="cell c_t" if u == 0 else None)[0]
                  for u in range(units)]
    output_lines = [state_ax.plot(trace["h"][:, u], "--s", ms=3, color="C3", label="output h_t" if u == 0 else None)[0]
                    for u in range(units)]
    state_ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)  # beside the curves: never redrawn
    step_lines = [ax.axvline(0, color="k", lw=1.5) for ax in axes]
    for ax, name in zip(axes, ("input", "gate and unit", "unit", "value")):
        ax.set_ylabel(name)
        ax.set_xlabel("time step t (0-based)")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))  # whole steps

    # Drawn in layers, from what changes least to what changes most: the gates' map (and
    # its title, which names the sliders), the other maps and the curves, then the step's
    # lines and titles. Typing a new x1 (the gates stay) redraws the last two; new axis
    # limits or a new length redraw everything.
    gates_layer, sequence_layer = [], []
    step_layer = [*step_lines, inputs_ax.title, state_ax.title]
    canvas = figures.layered_canvas(fig, [gates_layer, sequence_layer, step_layer])
    picture = figures.Picture(fig)

    def map_artists(k):
        shown, numbers = maps[k]
        return [shown, *shown.axes.spines.values(), *numbers]

    def fill_layers():
        """The maps' images, frames (drawn over the images) and numbers, and the curves."""
        gates_layer[:] = map_artists(1) + [gates_ax.title]
        sequence_layer[:] = map_artists(0) + map_artists(2) + cell_lines + output_lines

    fill_layers()

    def set_state_limits(steps, trace):
        """Fit the curves' axes to the steps and to nicely rounded limits of c and h; True if they changed."""
        limits = (-0.5, steps - 0.5), nice_limits([trace["c"], trace["h"]])
        changed = limits != (state_ax.get_xlim(), state_ax.get_ylim())
        state_ax.set_xlim(*limits[0])
        state_ax.set_ylim(*limits[1])
        return changed

    set_state_limits(len(seq), trace)

    def redraw_sequence(seq, trace, title):
        """Put a new sequence's values in the heat maps and the curves; say which layers changed."""
        resized = len(seq) != maps[0][0].get_array().shape[1]
        values = map_values(seq, trace)
        gates_same = (not resized and title == gates_ax.get_title()
                      and all(np.array_equal(a, b) for a, b in zip(values[1], drawn["values"][1])))
        drawn["values"] = values
        gates_ax.set_title(title)
        for i, (new, vmin, vmax) in enumerate(values):
            shown, numbers = maps[i]
            maps[i] = shown, refill_heat_map(shown, numbers, new, vmin, vmax)
        for u in range(units):
            cell_lines[u].set_data(np.arange(len(seq)), trace["c"][:, u])
            output_lines[u].set_data(np.arange(len(seq)), trace["h"][:, u])
        new_limits = set_state_limits(len(seq), trace)
        if resized or new_limits:
            fill_layers()  # new numbers, or new ticks on the curves' axes: redraw the whole figure
            canvas.changed()
        else:
            canvas.changed(1 if gates_same else 0)

    def show(sequence, step, sharpness, forget_bias):
        inputs = (sequence, sharpness, forget_bias)
        new_inputs = inputs != drawn["inputs"]
        if new_inputs:
            try:
                seq = parse_sequence(sequence, W.shape[0])
            except ValueError as error:
                print(f"Cannot read the sequence: {error}")
                return None
            drawn.update(inputs=inputs, seq=seq, trace=trace_of(seq, sharpness, forget_bias))
        seq, trace = drawn["seq"], drawn["trace"]
        step = min(step, len(seq) - 1)
        for line in step_lines:
            line.set_xdata([step, step])
        if new_inputs:
            redraw_sequence(seq, trace, gates_title(sharpness, forget_bias))
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
        sharpness=widgets.SelectionSlider(options=[(f"{v:g}", v) for v in sharpness_choices], value=sharpness,
                                          description="sharpness"),
        forget_bias=widgets.FloatSlider(value=0.0, min=-4.0, max=4.0, step=0.5, readout_format=".1f",
                                        description="forget bias"),
    )
