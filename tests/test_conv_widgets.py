"""Lesson 09's widgets: the pure functions against SciPy/conv, the widgets in a real kernel."""

import json

import numpy as np
import pytest

from dlcourse import conv
from dlcourse.conv_widgets import apply_kernel, describe_output_size, load_image
from dlcourse.images import KERNELS, filter_image


@pytest.mark.parametrize("name", ["edge", "sharpen", "gaussian blur"])
def test_apply_kernel_matches_scipy_on_a_real_photo(name):
    image = load_image("flower photo")
    assert image.shape == (214, 320)
    assert np.allclose(apply_kernel(image, KERNELS[name]), filter_image(image, KERNELS[name]), atol=1e-12)


def test_describe_output_size_fits_and_misfits():
    fits = describe_output_size(7, 3, 0, 2)
    assert fits["fits"] and fits["output"] == conv.output_size(7, 3, 0, 2) == 3
    assert fits["starts"] == [0, 2, 4]
    misfit = describe_output_size(7, 3, 0, 3)
    assert not misfit["fits"] and misfit["output"] is None
    assert "2.333" in misfit["message"] and misfit["starts"] == [0, 3]
    too_big = describe_output_size(2, 5, 1, 1)
    assert not too_big["fits"] and too_big["starts"] == [] and "larger" in too_big["message"]


def test_filters_widget_in_a_kernel(kernel):
    out = kernel.run(
        "import json, numpy as np\n"
        "from dlcourse.conv_widgets import convolution_filters_widget\n"
        "from dlcourse.images import KERNELS, filter_image\n"
        "w = convolution_filters_widget()\n"
        "w.children[0].value = 'sharpen'\n"
        "r = w.result\n"
        "same = bool(np.allclose(r['output'], filter_image(r['image'], KERNELS['sharpen'])))\n"
        "w.children[2].value = 2.0\n"  # slider w[0,0]: switches to a custom kernel
        "c = w.result\n"
        "print(json.dumps({'same': same, 'sharpen': r['kernel'].tolist(), 'name': w.children[0].value,\n"
        "                  'custom': c['kernel'].tolist(),\n"
        "                  'custom_ok': bool(np.allclose(c['output'], filter_image(c['image'], c['kernel'])))}))\n"
    )
    result = json.loads(out.strip().splitlines()[-1])
    assert result["same"] and result["custom_ok"]
    assert result["sharpen"] == KERNELS["sharpen"].tolist()
    expected = KERNELS["sharpen"].copy()
    expected[0, 0] = 2.0
    assert result["name"] == "custom" and result["custom"] == expected.tolist()


def test_stride_widget_shows_a_message_not_a_traceback(kernel):
    out = kernel.run(
        "from dlcourse.conv_widgets import stride_padding_widget\n"
        "w = stride_padding_widget()\n"
        "w.children[3].value = 3\n"
        "print(w.result['fits'], repr(w.result['message']))\n"
        "w.children[2].value = 1\n"
        "print(w.result['fits'], w.result['output'])\n"
        "w.children[1].value = 7; w.children[0].value = 1; w.children[2].value = 0\n"
        "print(w.result['fits'], w.result['output'])\n"
    )
    lines = out.strip().splitlines()
    assert lines[0].startswith("False") and "does not fit" in lines[0]
    assert lines[1] == f"True {conv.output_size(7, 3, 1, 3)}"
    assert lines[2] == "False None"


REDRAW_COUNTER = (
    "from unittest import mock\n"
    "from dlcourse import figures\n"
    "def redraws(control, value):\n"  # the pictures drawn when the control is set to value
    "    with mock.patch.object(figures.Picture, 'draw', autospec=True, side_effect=figures.Picture.draw) as draw:\n"
    "        control.value = value\n"
    "    return draw.call_count\n"
)


def test_filters_widget_redraws_once_per_change(kernel):
    out = kernel.run(
        REDRAW_COUNTER +
        "from dlcourse.conv_widgets import convolution_filters_widget\n"
        "w = convolution_filters_widget()\n"
        "name, source, sliders = w.children[0], w.children[1], w.children[2:11]\n"
        "print([redraws(name, 'gaussian blur'), redraws(name, 'custom'), redraws(name, 'edge'),\n"
        "       redraws(sliders[4], 3.5), redraws(sliders[0], 1.0), redraws(source, 'fashion-mnist')],\n"
        "      name.value, [s.value for s in sliders][:5])\n"
    )
    counts, rest = out.split("]", 1)
    assert counts == "[1, 1, 1, 1, 1, 1"
    assert rest.split() == ["custom", "[1.0,", "-1.0,", "-1.0,", "-1.0,", "3.5]"]


def test_stride_widget_redraws_once_per_change_and_not_while_dragging(kernel):
    out = kernel.run(
        REDRAW_COUNTER +
        "from dlcourse.conv_widgets import stride_padding_widget\n"
        "w = stride_padding_widget()\n"
        "print([redraws(c, v) for c, v in zip(w.kwargs_widgets, (11, 5, 2, 3))],\n"
        "      all(not c.continuous_update for c in w.kwargs_widgets))\n"
    )
    assert out.split() == ["[1,", "1,", "1,", "1]", "True"]


def test_pictures_say_what_the_controls_were_set_to(kernel):
    out = kernel.run(
        "import html, ipywidgets, re\n"
        "from dlcourse.conv_widgets import convolution_filters_widget, stride_padding_widget\n"
        "def alt(widget):\n"
        "    view = next(c for c in widget.children if isinstance(c, ipywidgets.HTML))\n"
        "    return html.unescape(re.search(r'alt=\"([^\"]*)\"', view.value).group(1))\n"
        "f = convolution_filters_widget()\n"
        "f.children[0].value = 'sharpen'; print(alt(f))\n"
        "f.children[6].value = 5.01; print(alt(f))\n"  # slider w[1,1]
        "g = stride_padding_widget()\n"
        "g.kwargs_widgets[3].value = 2; print(alt(g))\n"
        "g.kwargs_widgets[2].value = 1; print(alt(g))\n"
    )
    sharpen, custom, stride, padding = out.strip().splitlines()[-4:]
    assert "kernel: sharpen" in sharpen and "kernel: custom" in custom and "sum of weights 1.01;" in custom
    assert "stride 2:" in stride and "output 3x3" in stride
    assert "padding 1 " in padding and "output 4x4" in padding
