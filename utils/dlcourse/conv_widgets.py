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
    fig = Figure(figsize=(14, 4))
    input_ax, kernel_ax, output_ax = fig.subplots(1, 3, gridspec_kw={"width_ratios": [3, 1.2, 3]})
    input_shown = input_ax.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    kernel_shown = kernel_ax.imshow(np.zeros((3, 3)), cmap="coolwarm")
    kernel_numbers = write_values(kernel_ax, kernel_shown, np.zeros((3, 3)), ".3g")
    output_shown = output_ax.imshow(np.zeros((2, 2)), cmap="gray", vmin=0, vmax=1)
    for ax in (input_ax, kernel_ax, output_ax):
        ax.set_xticks([])
        ax.set_yticks([])
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

    name.observe(on_name, names="value")
    source.observe(lambda change: redraw(), names="value")
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
    not fit shows the message and the uncovered cells in red, never a traceback.
    """
    import ipywidgets as widgets
    import matplotlib as mpl
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(12, 5))
    input_ax, output_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    message = fig.text(0.5, 0.02, "", ha="center", va="bottom", fontsize=11)
    fig.subplots_adjust(bottom=0.16)
    picture = figures.Picture(fig)
    picture.laid_out = True  # keep the room left for the message under the axes

    def show(size, kernel, padding, stride):
        info = describe_output_size(size, kernel, padding, stride)
        padded = size + 2 * padding
        input_ax.clear()
        output_ax.clear()
        ax = input_ax
        for r in range(padded):
            for c in range(padded):
                pad_cell = min(r, c) < padding or max(r, c) >= padding + size
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor="0.85" if pad_cell else "white", edgecolor="0.5"))
        colors = mpl.colormaps["tab10"](np.arange(max(len(info["starts"]), 1)) % 10)
        for k, start in enumerate(info["starts"]):  # the windows of the first output row
            offset = 0.08 * (k % 3)
            ax.add_patch(Rectangle((start + offset, offset), kernel - 2 * offset, kernel - 2 * offset,
                                   fill=False, lw=2.5, edgecolor=colors[k]))
        if not info["fits"]:
            covered = (info["starts"][-1] + kernel) if info["starts"] else 0
            for c in range(covered, padded):
                ax.add_patch(Rectangle((c, 0), 1, padded, facecolor="red", alpha=0.3))
        ax.set_xlim(0, padded)
        ax.set_ylim(padded, 0)
        ax.set_aspect("equal")
        ax.set_title(f"input {size}x{size}, kernel {kernel}, padding {padding} (gray), stride {stride}: "
                     "windows of the first output row")
        ax.axis("off")
        ax = output_ax
        if info["fits"]:
            out = info["output"]
            for r in range(out):
                for c in range(out):
                    ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colors[c] if r == 0 else "white",
                                           alpha=0.6 if r == 0 else 1, edgecolor="0.3"))
            ax.set_xlim(0, max(out, 1))
            ax.set_ylim(max(out, 1), 0)
            ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"output {info['output']}x{info['output']}" if info["fits"] else "no output")
        message.set_text(textwrap.fill(info["message"], 110))
        message.set_color("black" if info["fits"] else "red")
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
