"""2-D loss surfaces, optimiser trajectories on them, and the learning-rate widget."""

import time

import numpy as np

from dlcourse import figures, schedules
from dlcourse.optimizers import make_optimizer

# name: (loss(w), gradient(w), start, plot box (xmin, xmax, ymin, ymax))
SURFACES = {
    "narrow valley": (
        lambda w: 0.5 * (0.1 * w[0] ** 2 + 10 * w[1] ** 2),
        lambda w: np.array([0.1 * w[0], 10 * w[1]]),
        (-4.0, 1.0), (-5, 5, -2, 2),
    ),
    "saddle": (
        lambda w: 0.5 * (w[0] ** 2 - w[1] ** 2) + 0.25 * w[1] ** 4,
        lambda w: np.array([w[0], -w[1] + w[1] ** 3]),
        (-2.0, 1e-3), (-2.5, 2.5, -2, 2),
    ),
    "Rosenbrock": (
        lambda w: (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2,
        lambda w: np.array([-2 * (1 - w[0]) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)]),
        (-1.5, 2.0), (-2, 2, -1, 3),
    ),
}


def learning_rate(schedule, eta0, t, steps):
    """The rate at step t for a fixed-in-advance schedule scaled to ``steps`` steps."""
    if schedule == "constant":
        return eta0
    if schedule == "piecewise":
        return schedules.piecewise_constant(t, [steps // 2], [eta0, eta0 / 10])
    if schedule == "exponential":
        return schedules.exponential(t, eta0, steps / 2)
    if schedule == "power":
        return schedules.power(t, eta0, steps / 10)
    raise ValueError(f"unknown schedule {schedule!r}; choose one of {schedules.SCHEDULES}")


# The learning-rate widget's choices: roughly log-spaced, and with the rates the lesson
# names (0.19 and 0.21 either side of the narrow valley's limit 2/10; with momentum, its limit 0.38 and 0.4 beyond it).
LEARNING_RATES = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.15, 0.19, 0.2, 0.21,
                  0.25, 0.3, 0.38, 0.4, 0.5, 1.0, 2.0, 5.0, 10.0)

GROWTH = 100.0  # a loss this many times its starting size (two orders of magnitude) has diverged
LIMIT = 1e6     # so have parameters this large


def diverged(first_loss, loss, w, growth=GROWTH, limit=LIMIT):
    """Why a run that started at loss ``first_loss`` has diverged at parameters ``w`` with
    loss ``loss``, or None if it has not: something is not finite, a parameter reached
    ``limit`` in size, or the loss rose by more than ``growth - 1`` times ``|first_loss|``
    (by orders of magnitude; a loss that falls never counts)."""
    if growth <= 1 or limit <= 0:
        raise ValueError(f"growth must be > 1 and limit > 0, got {growth} and {limit}")
    w = np.asarray(w, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        return "the parameters overflowed"
    if not np.isfinite(loss):
        return "the loss overflowed"
    if np.abs(w).max() >= limit:
        return f"a parameter reached {np.abs(w).max():.3g}"
    if loss - first_loss > (growth - 1) * max(abs(first_loss), 1e-12):
        return f"the loss grew from {first_loss:.3g} to {loss:.3g}"
    return None


def optimize(loss, grad, w0, optimizer, lr, momentum=0.9, schedule="constant", steps=100):
    """Run an optimiser from w0. Returns ``path`` (one row per iterate), ``losses``,
    ``rates`` and a ``message``.

    A run stops as soon as ``diverged`` says so (the loss grew a hundredfold, or the
    parameters blew up); the message then says it diverged and why, and the path and
    losses end with the last finite iterate, so a plot never fills with NaN.
    """
    opt = make_optimizer(optimizer, lr, momentum)
    tracker = schedules.Performance(lr) if schedule == "performance" else None
    w = np.array(w0, dtype=np.float64)
    path, losses, rates = [w], [loss(w)], []
    message = ""
    for t in range(steps):
        opt.learning_rate = tracker.rate if tracker else learning_rate(schedule, lr, t, steps)
        rates.append(opt.learning_rate)
        with np.errstate(all="ignore"):
            w = opt.step(w, grad(w))
            value = loss(w)
        why = diverged(losses[0], value, w)
        if why:
            if np.all(np.isfinite(w)) and np.isfinite(value):
                path.append(w)
                losses.append(value)
            message = f"Diverged at step {t + 1} ({why}): the learning rate {lr:g} is too large for {optimizer} here."
            break
        path.append(w)
        losses.append(value)
        if tracker:
            tracker.update(value)
    return {"path": np.array(path), "losses": np.array(losses), "rates": np.array(rates), "message": message}


def trajectory(surface, optimizer, lr, momentum=0.9, schedule="constant", steps=100):
    """``optimize`` on one of ``SURFACES`` from its start point."""
    loss, grad, start, _ = SURFACES[surface]
    return optimize(loss, grad, start, optimizer, lr, momentum, schedule, steps)


def softmax_problem(X, y, classes, l2=0.0):
    """Loss and gradient of softmax regression on X (N, D) and labels y (N,), the weights
    W (D, classes) and bias b as one flat vector, plus ``l2 * sum(W**2)`` (an L2 penalty
    on W, not b). Returns ``(loss(w), grad(w), w0)`` with w0 all zeros."""
    n, d = X.shape
    Y = np.eye(classes)[y]

    def split(w):
        return w[: d * classes].reshape(d, classes), w[d * classes:]

    last = {}

    def loss_and_probs(w):
        # optimize() asks for the loss and then the gradient at the same w: compute once
        if "w" in last and np.array_equal(last["w"], w):
            return last["value"]
        W, b = split(w)
        z = X @ W + b
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        penalty = l2 * np.sum(W**2)
        last["w"], last["value"] = w.copy(), (-np.mean(np.log(p[np.arange(n), y] + 1e-300)) + penalty, p)
        return last["value"]

    def grad(w):
        _, p = loss_and_probs(w)
        W, _ = split(w)
        dz = (p - Y) / n
        return np.concatenate([(X.T @ dz + 2 * l2 * W).ravel(), dz.sum(axis=0)])

    return (lambda w: loss_and_probs(w)[0]), grad, np.zeros(d * classes + classes)


def outcome(run):
    """One sentence on how an ``optimize`` run ended, for a picture's alt text."""
    losses = run["losses"]
    return run["message"] or f"the loss went from {losses[0]:.3g} to {losses[-1]:.3g} in {len(losses) - 1} steps."


def lr_widget(X, y, classes=10, steps=60, l2=1e-3):
    """Sliders for learning rate (``LEARNING_RATES``, about log-spaced), optimiser, momentum,
    schedule and surface.

    Left: the trajectory on the 2-D surface; middle: its loss per step; right: the
    training loss of softmax regression on (X, y) with a small L2 penalty ``l2`` (so that
    its weights stay finite and a too-large rate shows as a rising loss), same settings.
    ``widget.result`` holds both runs (``surface``, ``network``) and ``seconds``,
    the time one setting takes to compute.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    from dlcourse.optimizers import OPTIMIZERS

    net_loss, net_grad, net_w0 = softmax_problem(X, y, classes, l2=l2)

    fig = Figure(figsize=(15, 4))  # not pyplot's: a redraw never touches a cell's current figure
    surface_ax, surface_loss_ax, net_ax = fig.subplots(1, 3)
    path_line, = surface_ax.plot([], [], ".-", color=figures.VERMILION, lw=1, ms=3)
    start_point, = surface_ax.plot([], [], "o", color="black")
    surface_ax.set_xlabel("$w_1$")
    surface_ax.set_ylabel("$w_2$")
    surface_loss_ax.set_yscale("symlog")
    surface_loss_ax.set_title("loss on the surface")
    net_ax.set_title(f"softmax regression (L2 {l2:g}): training loss")
    curves, notes = [], []
    for ax in (surface_loss_ax, net_ax):
        curves += ax.plot([], [], color="C0")
        notes.append(ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", wrap=True, color=figures.VERMILION))
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
    contours = {}  # the surface drawn on the left: {name: its contour set}
    # The contours and the left axes' ticks are drawn once per surface; each input redraws the rest.
    canvas = figures.layered_canvas(fig, [[surface_loss_ax, net_ax, path_line, start_point, surface_ax.title]])
    picture = figures.Picture(fig)

    def draw_surface(surface):
        """Contours of ``surface`` on the left axes, drawn only when the surface changes."""
        if surface in contours:
            return
        for drawn in contours.values():
            drawn.remove()
        contours.clear()
        loss, _, _, (x0, x1, y0, y1) = SURFACES[surface]
        xs, ys = np.meshgrid(np.linspace(x0, x1, 120), np.linspace(y0, y1, 120))
        zs = loss(np.array([xs, ys]))
        contours[surface] = surface_ax.contour(xs, ys, np.log1p(zs - zs.min()), levels=25, cmap="viridis")
        surface_ax.set_xlim(x0, x1)
        surface_ax.set_ylim(y0, y1)
        canvas.changed()

    def show(lr, optimizer, momentum, schedule, surface):
        started = time.perf_counter()
        run = trajectory(surface, optimizer, lr, momentum, schedule, steps=steps)
        net = optimize(net_loss, net_grad, net_w0, optimizer, lr, momentum, schedule, steps=steps)
        seconds = time.perf_counter() - started
        draw_surface(surface)
        path = run["path"]
        path_line.set_data(path[:, 0], path[:, 1])
        start_point.set_data(path[:1, 0], path[:1, 1])
        surface_ax.set_title(f"{surface}: {optimizer}, lr={lr:.3g}")
        for ax, curve, note, r in zip((surface_loss_ax, net_ax), curves, notes, (run, net)):
            curve.set_data(np.arange(len(r["losses"])), r["losses"])
            ax.relim()
            ax.autoscale_view()
            note.set_text(r["message"])
        picture.draw(alt=f"{figures.describe(fig)}. Surface: {outcome(run)} Network: {outcome(net)}")
        print(f"computed in {1000 * seconds:.0f} ms")
        for r in (run, net):
            if r["message"]:
                print(r["message"])
        return {"surface": run, "network": net, "seconds": seconds}

    return figures.interactive(
        show,
        picture,
        lr=widgets.SelectionSlider(options=[(f"{rate:g}", rate) for rate in LEARNING_RATES], value=0.01,
                                   description="learning rate", style={"description_width": "initial"}),
        optimizer=widgets.Dropdown(options=list(OPTIMIZERS), value="SGD", description="optimiser"),
        momentum=widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="momentum"),
        schedule=widgets.Dropdown(options=schedules.SCHEDULES, value="constant", description="schedule"),
        surface=widgets.Dropdown(options=list(SURFACES), value="narrow valley", description="surface"),
    )
