"""Lesson 01's logic (patches, kernels) and its widget driven in a real kernel."""

from unittest import mock

import numpy as np
import pytest

from dlcourse import figures, images


def correlate_by_loops(image, kernel):
    """Zero-padded cross-correlation written as plain loops: an independent reference."""
    k = kernel.shape[0] // 2
    padded = np.pad(image, k)
    out = np.zeros_like(image, dtype=np.float64)
    for r in range(image.shape[0]):
        for c in range(image.shape[1]):
            out[r, c] = np.sum(padded[r: r + 2 * k + 1, c: c + 2 * k + 1] * kernel)
    return out


@pytest.mark.parametrize("name", sorted(images.KERNELS))
def test_filter_image_is_zero_padded_cross_correlation(name):
    image = np.random.default_rng(1).uniform(0, 255, size=(9, 13))
    kernel = images.KERNELS[name]
    assert np.allclose(images.filter_image(image, kernel), correlate_by_loops(image, kernel))


def test_kernels_do_what_their_names_say():
    flat = np.full((6, 6), 100.0)
    assert np.allclose(images.filter_image(flat, images.KERNELS["identity"]), flat)
    for smoothing in ("box blur", "gaussian blur"):
        assert np.isclose(images.KERNELS[smoothing].sum(), 1)
        assert np.allclose(images.filter_image(flat, images.KERNELS[smoothing])[1:-1, 1:-1], 100)
    assert np.allclose(images.filter_image(flat, images.KERNELS["edge"])[1:-1, 1:-1], 0)
    ramp = np.tile(np.arange(6.0), (6, 1))  # brighter to the right
    assert np.all(images.filter_image(ramp, images.KERNELS["sobel x"])[1:-1, 1:-1] > 0)


def test_kernel_response_at_the_patch_centre_equals_the_filtered_pixel():
    image = np.random.default_rng(2).uniform(0, 255, size=(20, 20))
    patch, _ = images.pixel_patch(image, 10, 7, size=5)
    for kernel in images.KERNELS.values():
        assert np.isclose(images.kernel_response(patch, kernel), images.filter_image(image, kernel)[10, 7])


def test_pixel_patch_stays_inside_the_image():
    image = np.arange(100).reshape(10, 10)
    patch, (top, left) = images.pixel_patch(image, 5, 5, size=3)
    assert np.array_equal(patch, image[4:7, 4:7]) and (top, left) == (4, 4)
    corner, origin = images.pixel_patch(image, 0, 9, size=4)
    assert corner.shape == (4, 4) and origin == (0, 6)


@pytest.mark.parametrize(
    "args, message",
    [((np.zeros((4, 4, 3)), 0, 0), "2-D"), ((np.zeros((4, 4)), 4, 0), "outside"),
     ((np.zeros((4, 4)), 0, 0, 5), "does not fit")],
)
def test_pixel_patch_explains_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        images.pixel_patch(*args)


def test_slide_matrices_are_the_three_printed_versions():
    first, second, third = images.SLIDE_PIXELS
    assert first.shape == second.shape == third.shape == (16, 12)
    assert np.argwhere(first != second).tolist() == [[0, 3], [0, 5]]
    assert (first != third).sum() > (first != second).sum()


def test_digit_matrices_are_the_two_printed_versions():
    first, second = images.DIGIT_SLIDE_VALUES
    assert first.shape == second.shape == (22, 15) and first.dtype == np.int64
    assert first[first > 255].tolist() == [315, 383]  # impossible for 8-bit pixels, kept as printed
    assert second[second > 255].tolist() == [264, 260, 5117, 260, 260]
    assert (first != second).sum() == 48
    assert first[0].tolist() == second[0].tolist() == [0, 2, 15, 0, 0, 11, 10, 0, 0, 0, 0, 9, 9, 0, 0]


def test_pixel_viewer_widget_in_a_kernel(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse import images\n"
        "image = np.random.default_rng(3).uniform(0, 255, size=(30, 40))\n"
        "w = images.pixel_viewer_widget(image, size=5)\n"
        "controls = {c.description: c for c in w.kwargs_widgets}\n"
        "controls['row'].value = 12\n"
        "controls['column'].value = 33\n"
        "controls['kernel'].value = 'edge'\n"
        "expected = images.filter_image(image, images.KERNELS['edge'])[12, 33]\n"
        "print(np.isclose(w.result['response'], expected),\n"
        "      np.array_equal(w.result['patch'], image[10:15, 31:36]),\n"
        "      np.array_equal(w.result['kernel'], images.KERNELS['edge']))\n"
    )
    assert out.split() == ["True", "True", "True"]


def test_text_color_is_white_on_dark_cells_and_black_on_light_ones():
    import matplotlib

    gray, viridis = matplotlib.colormaps["gray"], matplotlib.colormaps["viridis"]
    assert [images.text_color(gray(v)) for v in (0.0, 0.3, 0.7, 1.0)] == ["white", "white", "black", "black"]
    assert images.text_color(viridis(0.0)) == "white" and images.text_color(viridis(1.0)) == "black"


def test_pixel_viewer_redraws_once_per_input_and_says_the_pixel():
    image = np.random.default_rng(3).uniform(0, 255, size=(30, 40))
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = images.pixel_viewer_widget(image, size=5)
        controls = {c.description: c for c in w.kwargs_widgets}
        for row in (16, 17, 18):
            controls["row"].value = row
        controls["kernel"].value = "edge"
    assert draw.call_count == 1 + 4
    assert figures.figure_problems(draw.call_args.args[0].fig) == []  # titled, axes labelled
    picture = w.children[3]  # between the controls and the printed output
    assert 'alt="image 30x40: pixel (18, 20) | the numbers the computer sees (5x5) | ' in picture.value
    assert "after the &#x27;edge&#x27; kernel (clipped to 0..255)" in picture.value
    assert np.array_equal(w.result["patch"], image[16:21, 18:23])


def test_pixel_viewer_writes_readable_numbers():
    image = np.zeros((30, 40))
    image[:, 20:] = 255  # the centred patch: dark left, light right
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = images.pixel_viewer_widget(image, size=5)
        texts = draw.call_args.args[0].fig.axes[1].texts
        assert [texts[0].get_text(), texts[0].get_color(), texts[-1].get_text(), texts[-1].get_color()] == [
            "0", "white", "255", "black"]
        {c.description: c for c in w.kwargs_widgets}["column"].value = 30  # all light
    assert len(texts) == 25 and {(t.get_text(), t.get_color()) for t in texts} == {("255", "black")}
