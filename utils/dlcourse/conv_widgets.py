"""Lesson 09's widgets: 3x3 filters on a real image, and the stride/padding grid.

Each widget computes through a plain function of this module (tested directly), and
returns what it computed as ``widget.result``.
"""

import textwrap

import numpy as np

from dlcourse import conv, figures
from dlcourse.images import KERNELS, rewrite_values, write_values

FILTER_NAMES = ("identity", "edge", "sharpen", "box blur", "gaussian blur")
IMAGES = ("china photo", "flower photo", "fashion-mnist")


def apply_kernel(image, kernel):
    """Cross-correlate a 2-D image with a kernel, output the same size (zero padding)."""
    return conv.correlate2d(image, kernel, padding="same")


def load_image(name):
    """A grayscale image in [0, 1]: a scikit-learn photo at half size, or a Fashion-MNIST item."""
    from dlcourse import data

    if name == "fashion-mnist":
        (x_train, _), _ = data.load_fashion_mnist("subset")
        return x_train[0] / 255.0
    if name not in IMAGES:
        raise ValueError(f"image must be one of {IMAGES}, got {name!r}")
    return data.load_photo(name.split()[0], gray=True)[::2, ::2]


def convolution_filters_widget():
    """Pick a named 3x3 kernel or set the nine weights, see the filtered image.

    Choosing a named kernel copies its weights into the sliders; moving a slider
    switches to "custom". ``widget.result``: ``kernel``, ``image``, ``output``.
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    images = {}
    sliders = [widgets.FloatSlider(value=KERNELS["identity"][i, j], min=-8, max=8, step=0.01,
                                   description=f"w[{i},{j}]", continuous_update=False)
               for i in range(3) for j in range(3)]
    name = widgets.Dropdown(options=FILTER_NAMES + ("custom",), value="identity", description="kernel")
    source = widgets.Dropdown(options=IMAGES, value="china photo", description="image")
    out = widgets.Output()
    fig = Figure(figsize=(11, 3))  # the photos fill their panels' height: tight_layout keeps the titles in
    input_ax, kernel_ax, output_ax = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3, 1.2, 3]})
    input_shown = input_ax.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    kernel_shown = kernel_ax.imshow(np.zeros((3, 3)), cmap="coolwarm")
    kernel_numbers = write_values(kernel_ax, kernel_shown, np.zeros((3, 3)), ".3g")
    output_shown = output_ax.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    for ax in (input_ax, kernel_ax, output_ax):
        ax.set_xticks([])
        ax.set_yticks([])
    # Each input redraws the kernel and output panels (frames over images, as Matplotlib
    # draws them); the input panel is drawn again only for a new image.
    canvas = figures.layered_canvas(fig, [[
        kernel_shown, *kernel_ax.spines.values(), *kernel_numbers, kernel_ax.title,
        output_shown, *output_ax.spines.values(), output_ax.title]])
    picture = figures.Picture(fig)
    widget = widgets.VBox([name, source, *sliders, picture.view, out])
    holding = False  # True while one change sets other controls (a preset, "custom"): they do not redraw

    def redraw():
        with out:  # the Output shows a traceback here too, where the student looks
            out.clear_output(wait=True)
            kernel = (np.array([s.value for s in sliders]).reshape(3, 3)
                      if name.value == "custom" else KERNELS[name.value])
            if source.value not in images:
                images[source.value] = load_image(source.value)
            image = images[source.value]
            output = apply_kernel(image, kernel)
            extent = (-0.5, image.shape[1] - 0.5, image.shape[0] - 0.5, -0.5)
            for shown, values in ((input_shown, image), (output_shown, np.clip(output, 0, 1))):
                shown.set_data(values)
                shown.set_extent(extent)
            input_ax.set_title(f"input {image.shape[0]}x{image.shape[1]}")
            limit = max(np.abs(kernel).max(), 1e-9)
            kernel_shown.set_data(kernel)
            kernel_shown.set_clim(-limit, limit)
            rewrite_values(kernel_numbers, kernel_shown, kernel, ".3g")
            kernel_ax.set_title(f"kernel: {name.value}")
            output_ax.set_title(f"output (sum of weights {kernel.sum():.3g}; clipped to [0, 1])")
            picture.draw()
            widget.result = {"kernel": kernel, "image": image, "output": output}

    def set_quietly(assign):
        """Run ``assign`` (which sets other controls) without their observers redrawing."""
        nonlocal holding
        holding = True
        try:
            assign()
        finally:
            holding = False

    def copy_preset(values):
        for slider, value in zip(sliders, values):
            slider.value = value

    def on_name(change):
        if holding:
            return
        if change["new"] != "custom":
            set_quietly(lambda: copy_preset(KERNELS[change["new"]].ravel()))
        redraw()

    def on_slider(change):
        if holding:
            return
        preset = KERNELS.get(name.value)
        if preset is not None and abs(change["new"] - preset.ravel()[sliders.index(change["owner"])]) > 0.005:
            set_quietly(lambda: setattr(name, "value", "custom"))
        redraw()

    def on_source(change):
        canvas.changed()
        redraw()

    name.observe(on_name, names="value")
    source.observe(on_source, names="value")
    for slider in sliders:
        slider.observe(on_slider, names="value")
    redraw()
    return widget


def describe_output_size(size, kernel, padding, stride):
    """What the stride/padding grid shows: ``fits``, ``output`` (O or None), ``message``,
    and ``starts``, the first index of each window along one axis of the padded input."""
    padded = size + 2 * padding
    formula = f"O = ({size} - {kernel} + 2*{padding})/{stride} + 1"
    try:
        out = conv.output_size(size, kernel, padding, stride)
    except (TypeError, ValueError) as error:
        starts = list(range(0, padded - kernel + 1, stride)) if kernel <= padded else []
        return {"fits": False, "output": None, "starts": starts, "message": str(error)[0].upper() + str(error)[1:]}
    return {"fits": True, "output": out, "starts": [i * stride for i in range(out)],
            "message": f"{formula} = {out}: the output is {out}x{out}"}


def stride_padding_widget():
    """Sliders for input size I, kernel K, padding P and stride S; draws the windows.

    ``widget.result`` is :func:`describe_output_size`'s dictionary; a setting that does
    not fit shows the message and the uncovered cells in vermilion, never a traceback.
    """
    import ipywidgets as widgets
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 5))
    input_ax, output_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    input_cells = input_ax.add_collection(PolyCollection([], edgecolor="0.5"))
    windows = input_ax.add_collection(PolyCollection([], facecolor="none", linewidth=2.5, joinstyle="miter"))
    uncovered = input_ax.add_collection(PolyCollection([], facecolor=figures.VERMILION, edgecolor="none", alpha=0.3))
    output_cells = output_ax.add_collection(PolyCollection([]))
    for ax in (input_ax, output_ax):
        ax.set_aspect("equal")
        ax.axis("off")
    message = fig.text(0.5, 0.02, "", ha="center", va="bottom", fontsize=11)
    fig.subplots_adjust(bottom=0.16)
    picture = figures.Picture(fig, layout=False)  # keep the room left for the message under the axes

    def box(x, y, width, height):
        """The corners of a rectangle from (x, y), in grid cells."""
        return [(x, y), (x + width, y), (x + width, y + height), (x, y + height)]

    def show(size, kernel, padding, stride):
        info = describe_output_size(size, kernel, padding, stride)
        padded = size + 2 * padding
        grid = [(r, c) for r in range(padded) for c in range(padded)]
        input_cells.set_verts([box(c, r, 1, 1) for r, c in grid])
        input_cells.set_facecolor(["0.85" if min(r, c) < padding or max(r, c) >= padding + size else "white"
                                   for r, c in grid])
        colors = [to_rgba(f"C{k % 6}") for k in range(max(len(info["starts"]), 1))]  # course cycle, not black/yellow
        offsets = [0.08 * (k % 3) for k in range(len(info["starts"]))]  # the windows of the first output row
        windows.set_verts([box(start + offset, offset, kernel - 2 * offset, kernel - 2 * offset)
                           for start, offset in zip(info["starts"], offsets)])
        windows.set_edgecolor(colors[:len(offsets)])
        covered = (info["starts"][-1] + kernel) if info["starts"] else 0
        uncovered.set_verts([] if info["fits"] or covered >= padded else [box(covered, 0, padded - covered, padded)])
        input_ax.set_xlim(0, padded)
        input_ax.set_ylim(padded, 0)
        input_ax.set_title(f"input {size}x{size}, kernel {kernel}, padding {padding} (gray), stride {stride}: "
                           "windows of the first output row")
        out = info["output"] if info["fits"] else 0
        output_grid = [(r, c) for r in range(out) for c in range(out)]
        output_cells.set_verts([box(c, r, 1, 1) for r, c in output_grid])
        output_cells.set_facecolor([to_rgba(colors[c], 0.6) if r == 0 else "white" for r, c in output_grid])
        output_cells.set_edgecolor([to_rgba("0.3", 0.6 if r == 0 else 1) for r, c in output_grid])
        output_ax.set_xlim(0, max(out, 1))
        output_ax.set_ylim(max(out, 1), 0)
        output_ax.set_title(f"output {out}x{out}" if info["fits"] else "no output")
        message.set_text(textwrap.fill(info["message"], 110))
        message.set_color("black" if info["fits"] else figures.VERMILION)
        picture.draw()
        return info

    return figures.interactive(
        show,
        picture,
        size=widgets.IntSlider(value=7, min=1, max=16, description="input I", continuous_update=False),
        kernel=widgets.IntSlider(value=3, min=1, max=7, description="kernel K", continuous_update=False),
        padding=widgets.IntSlider(value=0, min=0, max=3, description="padding P", continuous_update=False),
        stride=widgets.IntSlider(value=1, min=1, max=5, description="stride S", continuous_update=False),
    )
