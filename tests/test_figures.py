"""dlcourse.figures: a widget's figure is redrawn in place and its picture carries its titles as alt text."""

import base64
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets as widgets
import matplotlib
import matplotlib.style
import nbformat
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from dlcourse.figures import WIDTH_PX, Picture, describe, figure_problems, interactive, png_bytes

ROOT = Path(__file__).resolve().parents[1]


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


def drawn(fig):
    fig.canvas.draw()
    return figure_problems(fig)


def test_figure_problems_names_a_missing_title_and_axis_labels():
    fig = Figure()
    ax = fig.subplots()
    ax.plot([0, 1], [1, 0])
    assert drawn(fig) == ["axes 0: no title", "axes 0: no x-axis label", "axes 0: no y-axis label"]
    ax.set(title="loss", xlabel="epoch")
    assert drawn(fig) == ["axes 0 ('loss'): no y-axis label"]
    ax.set_ylabel("loss")
    assert drawn(fig) == []


def test_image_panels_need_a_title_or_a_suptitle_and_no_axis_labels():
    fig = Figure()
    panels = fig.subplots(1, 3)
    for panel in panels:
        panel.imshow(np.eye(3), cmap="gray")
        panel.axis("off")
    assert drawn(fig) == ["axes 0: no title", "axes 1: no title", "axes 2: no title"]
    fig.suptitle("three identity matrices")
    assert drawn(fig) == []


def test_colour_bars_twins_shared_axes_and_text_panels_need_no_labels_of_their_own():
    fig = Figure()
    left, right, notes = fig.subplots(1, 3, sharey=True)
    for ax in (left, right):
        ax.plot([0, 1], [0, 1])
        ax.set(title="a line", xlabel="x")
    left.set_ylabel("y")  # the right panel's y tick labels are hidden: it shares left's axis
    twin = right.twinx()
    twin.plot([0, 1], [5, 3])
    twin.set_ylabel("second y")
    fig.colorbar(left.imshow(np.eye(2)), ax=left)
    notes.text(0.5, 0.5, "only text")
    assert drawn(fig) == []
    twin.set_ylabel("")
    assert drawn(fig) == ["axes 3: no y-axis label"]


def test_the_suite_sees_an_unlabelled_figure_on_stderr():
    code = ("import matplotlib; matplotlib.use('agg'); import dlcourse, matplotlib.pyplot as plt; "
            "fig = plt.figure(); plt.plot([1, 2]); plt.title('t'); plt.xlabel('x'); fig.canvas.draw(); fig.canvas.draw()")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "utils"))
    checked = subprocess.run([sys.executable, "-c", code], env=dict(env, DLCOURSE_CHECK_FIGURES="1"),
                             capture_output=True, text=True)
    assert checked.stderr == "figure check: t: axes 0 ('t'): no y-axis label\n"
    unchecked = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert unchecked.returncode == 0 and unchecked.stderr == ""


def simulate_colour_blindness(rgb, matrix):
    """sRGB colours (N, 3) in [0, 1] as seen with a colour-vision deficiency (Machado et al. 2009, severity 1)."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.clip(linear @ np.asarray(matrix).T, 0, 1)


def lab_lightness_and_chroma(linear):
    """CIELAB (N, 3) of linear sRGB colours (N, 3), D65 white."""
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    xyz /= np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1)


DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def closest_pair_seen(colours, first=6):
    """The smallest CIELAB distance between two of the first ``first`` colours, over the three deficiencies."""
    rgb = np.array([matplotlib.colors.to_rgb(c) for c in colours[:first]])
    closest = np.inf
    for matrix in DEFICIENCIES.values():
        lab = lab_lightness_and_chroma(simulate_colour_blindness(rgb, matrix))
        distances = np.linalg.norm(lab[:, None] - lab[None], axis=-1)
        closest = min(closest, distances[np.triu_indices(len(rgb), 1)].min())
    return closest


def test_the_course_palette_stays_distinct_for_colour_blind_readers():
    with matplotlib.style.context("dlcourse.course"):
        course = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    default = matplotlib.rcParamsDefault["axes.prop_cycle"].by_key()["color"]
    assert closest_pair_seen(course) > 15, "two of the course's first six colours look alike to colour-blind readers"
    assert closest_pair_seen(default) < 15  # Matplotlib's own cycle does not: the test can fail


LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))
RAINBOW_MAPS = re.compile(r"""(cmap\s*=\s*|colormaps\[)["'](jet|rainbow|hsv|gist_rainbow|nipy_spectral|RdYlGn|gist_ncar)["']""")
RED_GREEN = re.compile(r"""(colors?|c|facecolors?|edgecolors?)\s*=\s*\[?["'](red|green|lime|tab:red|tab:green|r|g)["']"""
                       r"""|\.plot\([^()\n]*["']([rg][-.:o^sx*+]*)["']""")


def code_of(path):
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_draws_in_the_course_style(path):
    cells = code_of(path)
    plotting = [i for i, source in enumerate(cells) if "plt." in source or "dlcourse" in source]
    assert plotting, f"{path.name} has no code"
    style_cell = next((i for i, source in enumerate(cells) if 'plt.style.use("dlcourse.course")' in source), None)
    assert style_cell is not None and style_cell <= plotting[0], (
        f'{path.name}: put plt.style.use("dlcourse.course") in the first cell that imports the course')


@pytest.mark.parametrize("path", [*LESSONS, *sorted((ROOT / "utils" / "dlcourse").glob("*.py"))], ids=lambda p: p.name)
def test_no_colour_map_or_colour_that_colour_blind_readers_cannot_tell_apart(path):
    text = "\n".join(code_of(path)) if path.suffix == ".ipynb" else path.read_text()
    found = [name for _, name in RAINBOW_MAPS.findall(text)] + [a or b for _, a, b in RED_GREEN.findall(text)]
    assert not found, f"{path.name} uses {found}: take viridis/cividis, RdBu/coolwarm, gray, or the cycle's C0..C7"


def test_in_the_course_kernel_the_check_keeps_the_inline_backend_and_reports_on_stderr(tmp_path):
    from dlcourse.nbrun import run_notebook

    path = tmp_path / "unlabelled.ipynb"
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import matplotlib, matplotlib.pyplot as plt\nprint(matplotlib.get_backend())\n"
        "plt.plot([1, 2]); plt.title('t'); plt.xlabel('x');")]
    nbformat.write(notebook, path)
    ran, _ = run_notebook(path, env={"DLCOURSE_CHECK_FIGURES": "1"})
    outputs = ran.cells[0].outputs
    assert outputs[0].text.strip() == "module://matplotlib_inline.backend_inline"
    assert [o.text for o in outputs if o.get("name") == "stderr"] == ["figure check: t: axes 0 ('t'): no y-axis label\n"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the figure was not shown"
