"""dlcourse.figures: a widget's figure is redrawn in place and its picture carries its titles as alt text."""

import base64
import io
import re

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from dlcourse.figures import WIDTH_PX, Picture, describe, interactive, png_bytes


def test_describe_reads_suptitle_then_axes_titles_in_order():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    fig.suptitle("lr = 0.1")
    left.set_title("surface:\n  narrow   valley")
    right.set_title("loss", loc="left")
    right.set_title("step 5", loc="right")
    assert describe(fig) == "lr = 0.1 | surface: narrow valley | loss | step 5"
    assert describe(Figure()) == ""


def shown(picture):
    """The alt text and the pixels of the picture's <img>."""
    alt, data = re.fullmatch(r'<img alt="([^"]*)" [^>]*src="data:image/png;base64,([^"]*)">', picture.view.value).groups()
    return alt, np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def test_picture_shows_the_figure_as_it_is_now_with_escaped_alt_text():
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    line, = ax.plot([0, 1], [0, 1])
    picture = Picture(fig)
    ax.set_title('w = "<1>" & more')
    picture.draw()
    alt, before = shown(picture)
    assert alt == "w = &quot;&lt;1&gt;&quot; &amp; more" and before.shape == (200, 300, 4)
    line.set_ydata([1, 0])
    ax.set_title("w = 2")
    picture.draw()
    alt, after = shown(picture)
    assert alt == "w = 2" and not np.array_equal(before, after)
    picture.draw(alt="a line going down")
    assert shown(picture)[0] == "a line going down"


def test_first_draw_lays_the_figure_out_once():
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.set_xlabel("step")
    picture = Picture(fig)
    default_bottom = fig.subplotpars.bottom
    picture.draw()
    laid_out = fig.subplotpars.bottom
    assert laid_out != default_bottom
    ax.set_xlabel("a label\non two lines")
    picture.draw()
    assert fig.subplotpars.bottom == laid_out


def test_a_figure_with_its_own_margins_keeps_them():
    fig = Figure(figsize=(3, 2))
    fig.subplots().set_xlabel("step")
    fig.subplots_adjust(bottom=0.3)
    Picture(fig, layout=False).draw()
    assert fig.subplotpars.bottom == 0.3


def test_interactive_puts_the_picture_between_controls_and_printed_output():
    fig = Figure(figsize=(2, 1))
    ax = fig.subplots()
    picture = Picture(fig)

    def update(k):
        ax.set_title(f"k = {k}")
        picture.draw()
        return k * 2

    widget = interactive(update, picture, k=widgets.IntSlider(1, 0, 5))
    assert isinstance(widget.children[0], widgets.IntSlider)
    assert widget.children[1] is picture.view and isinstance(widget.children[2], widgets.Output)
    assert shown(picture)[0] == "k = 1" and widget.result == 2
    widget.children[0].value = 4
    assert shown(picture)[0] == "k = 4" and widget.result == 8


def test_png_bytes_of_a_figure_made_without_pyplot():
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    picture = Image.open(io.BytesIO(png_bytes(fig)))
    assert picture.format == "PNG" and picture.size == (200, 100)


def test_a_wide_figure_is_drawn_in_the_pixels_it_is_shown_in():
    wide, narrow = Picture(Figure(figsize=(15, 4))), Picture(Figure(figsize=(5, 4)))
    for picture in (wide, narrow):
        picture.fig.subplots().plot([0, 1], [1, 0])
        picture.draw()
    assert Image.open(io.BytesIO(png_bytes(wide.fig))).size[0] == WIDTH_PX
    assert Image.open(io.BytesIO(png_bytes(narrow.fig))).size == (500, 400)  # 100 dpi, as before


def test_titles_are_pinned_above_their_axes_but_not_onto_top_tick_labels():
    picture = Picture(Figure(figsize=(6, 3)))
    plain, top = picture.fig.subplots(1, 2)
    top.xaxis.tick_top()
    for ax in (plain, top):
        ax.plot([0, 1000], [0, 1])
        ax.set_title("a title")
    picture.draw()
    top.set_title("a new title")  # set later without y: stays where the first draw put it
    picture.draw()
    renderer = picture.fig.canvas.get_renderer()
    assert plain.title.get_position()[1] == 1
    labels_top = max(t.label2.get_window_extent(renderer).y1 for t in top.xaxis.get_major_ticks())
    assert top.title.get_window_extent(renderer).y0 >= labels_top
