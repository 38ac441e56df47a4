"""dlcourse.figures: a widget's picture carries its titles as alt text."""

import io
import json

import matplotlib.pyplot as plt
import numpy as np
from IPython.core.pylabtools import print_figure
from matplotlib.figure import Figure
from PIL import Image

from dlcourse.figures import describe, png_bytes


def test_describe_reads_suptitle_then_axes_titles_in_order():
    fig = Figure()
    left, right = fig.subplots(1, 2)
    fig.suptitle("lr = 0.1")
    left.set_title("surface:\n  narrow   valley")
    right.set_title("loss", loc="left")
    right.set_title("step 5", loc="right")
    assert describe(fig) == "lr = 0.1 | surface: narrow valley | loss | step 5"
    assert describe(Figure()) == ""


def test_show_displays_one_png_with_escaped_alt_text(kernel):
    out = kernel.run(
        "import json, matplotlib.pyplot as plt\n"
        "from unittest import mock\n"
        "from dlcourse import figures\n"
        "fig, ax = plt.subplots(); ax.set_title('w = \"<1>\" & more')\n"
        "with mock.patch('IPython.display.display') as shown:\n"
        "    figures.show(fig)\n"
        "html = shown.call_args.args[0].data\n"
        "print(json.dumps({'html': html[:120], 'open': plt.get_fignums(), 'calls': shown.call_count}))\n"
    )
    result = json.loads(out.strip().splitlines()[-1])
    assert result["calls"] == 1 and result["open"] == []
    assert result["html"].startswith('<img alt="w = &quot;&lt;1&gt;&quot; &amp; more" src="data:image/png;base64,iVBORw0KGgo')


def test_png_bytes_are_the_inline_backends_picture():
    fig, axes = plt.subplots(1, 2, figsize=(6, 2))
    axes[0].imshow(np.arange(12).reshape(3, 4))
    axes[1].plot([0, 1], [1, 0])
    fig.suptitle("a title far up")
    ours, inline = (np.asarray(Image.open(io.BytesIO(png))) for png in (png_bytes(fig), print_figure(fig, "png")))
    plt.close(fig)
    assert ours.shape == inline.shape and np.array_equal(ours, inline)


def test_png_bytes_of_a_figure_made_without_pyplot():
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    picture = Image.open(io.BytesIO(png_bytes(fig)))
    assert picture.format == "PNG" and 100 < picture.width < 200
