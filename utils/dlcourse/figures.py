"""A widget's Matplotlib figure, drawn in place and shown as a picture with a text description.

The course's widgets make their figure once and change it when a control moves:
``picture = Picture(Figure(figsize=...))``, draw the axes and keep the artists; on each
input, change the artists (``set_data``, ``set_title``, ...) and call ``picture.draw()``.
Redrawing a figure that exists costs a third of making a new one (no new axes, no
layout pass, text measured once), which keeps a widget's answer under a quarter of a
second.

The picture is an ``<img>`` in an ``ipywidgets.HTML`` whose ``alt`` text is the figure's
titles: screen readers read it, and so do the browser tests, which check that a widget's
picture says what its controls were set to. ``interactive(update, picture, **controls)``
is ``ipywidgets.interactive`` with that picture under its controls.
"""

import base64
import functools
import importlib.abc
import importlib.util
import html
import io
import sys

# Colours a widget's text names ("... in vermilion"): the course palette's (course.mplstyle),
# fixed here so that the words stay true without the style.
BLUE, VERMILION = "#0072B2", "#D55E00"

# A notebook's output column in JupyterLab on a laptop is about this wide (CSS pixels): a
# wider picture is only shrunk by the browser, after costing time to draw, send and decode.
WIDTH_PX = 1000


def describe(fig):
    """The figure's suptitle and axes titles, in reading order, joined by " | "."""
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        titles += [ax.get_title(loc) for loc in ("left", "center", "right")]
    return " | ".join(" ".join(title.split()) for title in titles if title.strip())


def png_bytes(fig):
    """The whole figure as a PNG, drawn on its Agg canvas and compressed at level 1
    (a third quicker than PNG's default, a few percent larger)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    if not isinstance(fig.canvas, FigureCanvasAgg):  # a Figure made without pyplot has no renderer yet
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def img_tag(png, alt):
    """An ``<img>`` element holding ``png`` (bytes), with ``alt`` escaped, at most as wide as the page."""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" style="max-width: 100%; height: auto" src="data:image/png;base64,{data}">'


class Picture:
    """A figure shown in ``self.view`` (an ``ipywidgets.HTML``) and redrawn in place.

    ``fig`` should be a ``matplotlib.figure.Figure`` (not pyplot's, which the inline
    backend would also show under the cell). It is drawn at most ``WIDTH_PX`` pixels wide
    (its dpi lowered if need be: the same picture, in the pixels it is shown in). The
    first ``draw()`` lays it out with ``tight_layout`` unless the figure has its own layout
    engine or ``layout`` is False (the figure's own subplot parameters kept); later ones
    keep that layout.
    """

    def __init__(self, fig, layout=True):
        import ipywidgets as widgets

        fig.set_dpi(min(fig.get_dpi(), WIDTH_PX / fig.get_figwidth()))
        self.fig = fig
        self.view = widgets.HTML()
        self.layout = layout and fig.get_layout_engine() is None
        self.drawn = False

    def draw(self, alt=None):
        """Render the figure as it now is (laid out on the first call, ``tight_layout``);
        ``alt`` replaces its titles as the description."""
        if not self.drawn:
            if self.layout:
                self.fig.tight_layout()
            pin_titles(self.fig)
            self.drawn = True
        self.view.value = img_tag(png_bytes(self.fig), describe(self.fig) if alt is None else alt)


def pin_titles(fig):
    """Keep each axes' titles just above it, where they are unless tick labels sit on top:
    Matplotlib otherwise measures every tick label on every draw to place them."""
    for ax in fig.axes:
        if not any(tick.label2.get_visible() for tick in ax.xaxis.get_major_ticks()):
            ax.set_title(ax.get_title(), y=1)


def interactive(update, picture, **controls):
    """``ipywidgets.interactive(update, **controls)`` with ``picture`` under the controls and
    above what ``update`` prints. ``update`` changes ``picture.fig`` and calls ``picture.draw()``."""
    import ipywidgets as widgets

    widget = widgets.interactive(update, **controls)
    *inputs, printed = widget.children
    widget.children = (*inputs, picture.view, printed)
    return widget


def layered_canvas(fig, layers):
    """An Agg canvas for ``fig`` that draws ``layers`` (lists of artists) one over another
    on the rest of the figure and keeps a copy of the picture under each layer.

    ``changed(k)`` says that layer ``k`` changed, ``changed()`` that the rest did: the next
    draw starts from the copy under that layer, so an unchanged layer is never redrawn.
    With one layer and no ``changed()``, the rest of the figure is drawn once (Matplotlib's
    blitting). ``Picture.draw`` draws through it: make it before the first draw.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class LayeredCanvas(FigureCanvasAgg):
        def __init__(self):
            super().__init__(fig)
            self.copies = []  # copies[k]: the picture under layers[k], as last drawn

        def changed(self, layer=-1):
            """Layer ``layer`` (-1: the rest of the figure) changed: forget the copies above it."""
            del self.copies[layer + 1:]

        def draw(self):
            if not self.copies:
                for artist in (artist for layer in layers for artist in layer):
                    artist.set_animated(True)  # left out of the figure's own draw
                super().draw()
                self.copies.append(self.copy_from_bbox(fig.bbox))
            else:
                self.restore_region(self.copies[-1])
            for layer in layers[len(self.copies) - 1:]:
                for artist in layer:
                    fig.draw_artist(artist)
                if len(self.copies) < len(layers):
                    self.copies.append(self.copy_from_bbox(fig.bbox))

    return LayeredCanvas()


def figure_problems(fig):
    """What a reader misses in a drawn ``fig``, one line each: an axes showing data with
    no title (where the figure has no suptitle either), or with numbered axes unlabelled.

    Image panels with their axes off need only a title; colour bars, axes that only hold
    text, and axes whose tick labels are hidden (shared axes, twins) need nothing.
    """
    suptitle = fig.get_suptitle().strip()
    titled_places = {tuple(ax.get_position().bounds) for ax in fig.axes if _has_title(ax)}
    problems = []
    for index, ax in enumerate(fig.axes):
        if not ax.get_visible() or hasattr(ax, "_colorbar") or not ax.has_data():
            continue
        name = f"axes {index}" + (f" ({ax.get_title()!r})" if ax.get_title() else "")
        if not suptitle and tuple(ax.get_position().bounds) not in titled_places:
            problems.append(f"{name}: no title")
        if ax.axison:
            for letter, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
                numbered = axis.get_visible() and any(label.get_visible() and label.get_text()
                                                      for label in axis.get_ticklabels())
                if numbered and not axis.get_label_text().strip():
                    problems.append(f"{name}: no {letter}-axis label")
    return problems


def _has_title(ax):
    return any(ax.get_title(loc).strip() for loc in ("left", "center", "right"))


def check_every_drawing(stream=None):
    """From now on, write each drawn figure's ``figure_problems`` to ``stream`` (standard
    error by default), once per figure and problem. The test suite turns this on with
    DLCOURSE_CHECK_FIGURES=1: a lesson's or a widget's figure that misses a title or an
    axis label then fails the test that runs it."""
    from matplotlib.figure import Figure

    draw = Figure.draw

    @functools.wraps(draw)
    def draw_and_check(fig, renderer):
        draw(fig, renderer)
        reported = fig.__dict__.setdefault("_dlcourse_reported", set())  # kept with the figure, not by its id
        for problem in figure_problems(fig):
            if problem not in reported:
                reported.add(problem)
                (stream or sys.stderr).write(f"figure check: {describe(fig) or 'a figure with no title'}: {problem}\n")

    Figure.draw = draw_and_check


def check_drawings_once_matplotlib_loads():
    """``check_every_drawing`` as soon as ``matplotlib.figure`` is imported, without importing it
    now: the course's kernel imports dlcourse before ipykernel picks the inline backend, and
    importing Matplotlib then would fix its backend to Agg (no figure would be shown)."""
    if "matplotlib.figure" in sys.modules:
        check_every_drawing()
        return

    class WhenFigureLoads(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name != "matplotlib.figure":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            run_module = spec.loader.exec_module

            def run_and_check(module):
                run_module(module)
                check_every_drawing()

            spec.loader.exec_module = run_and_check
            return spec

    sys.meta_path.insert(0, WhenFigureLoads())
