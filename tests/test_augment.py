"""Image transforms against independent NumPy references, EDA's invariants, and
the augmentation viewer (directly and in a kernel)."""

from unittest import mock

import numpy as np
import pytest

from dlcourse import augment as aug, figures

SENTENCE = "A sad, superior human comedy played out on the back roads of life."


@pytest.mark.parametrize("shape", [(6, 6), (6, 6, 3)])
def test_flip_and_rotate_against_numpy(shape):
    image = np.random.default_rng(0).random(shape)
    assert np.array_equal(aug.flip(image, "horizontal"), np.fliplr(image))
    assert np.array_equal(aug.flip(image, "vertical"), np.flipud(image))
    assert np.allclose(aug.rotate(image, 90), np.rot90(image))  # counter-clockwise
    assert np.allclose(aug.rotate(image, -90), np.rot90(image, -1))
    assert np.allclose(aug.rotate(image, 360), image)


def test_small_rotation_keeps_the_centre_and_mass():
    image = np.zeros((21, 21))
    image[10, 4:17] = 1.0  # a horizontal bar through the centre
    turned = aug.rotate(image, 30)
    assert turned[10, 10] == pytest.approx(1.0)
    assert turned.sum() == pytest.approx(image.sum(), rel=0.1)
    assert turned[10, 16] < 0.5  # the end of the bar has moved


def test_shift_against_roll():
    image = np.random.default_rng(1).random((7, 9, 2))
    for dy, dx in [(2, -3), (-1, 4), (0, 0)]:
        expected = np.roll(image, (dy, dx), axis=(0, 1))
        if dy > 0:
            expected[:dy] = 0
        if dy < 0:
            expected[dy:] = 0
        if dx > 0:
            expected[:, :dx] = 0
        if dx < 0:
            expected[:, dx:] = 0
        assert np.array_equal(aug.shift(image, dy, dx), expected)
    assert not aug.shift(image, 7, 0).any()


def test_crop_against_keras_center_crop():
    import keras

    image = np.random.default_rng(2).random((10, 12, 3))
    ours = aug.crop(image, 2, 3, 6, 6)
    theirs = np.asarray(keras.layers.CenterCrop(6, 6)(image))
    assert np.allclose(ours, theirs)
    with pytest.raises(ValueError, match="does not fit"):
        aug.crop(image, 8, 0, 5, 5)
    crops = [aug.random_crop(image, 4, 4, np.random.default_rng(s)) for s in range(5)]
    assert all(c.shape == (4, 4, 3) for c in crops)
    assert len({c.tobytes() for c in crops}) > 1


def test_noise_statistics_and_seed():
    image = np.full((100, 100), 100.0)
    noisy = aug.add_noise(image, 10.0, np.random.default_rng(3))
    assert abs((noisy - image).std() - 10.0) < 0.3 and abs((noisy - image).mean()) < 0.3
    assert np.array_equal(noisy, aug.add_noise(image, 10.0, np.random.default_rng(3)))
    clipped = aug.add_noise(np.zeros((50, 50)), 10.0, np.random.default_rng(3), clip=(0, 255))
    assert clipped.min() == 0.0


def test_bad_image_message():
    with pytest.raises(ValueError, match=r"\(H, W\) or \(H, W, C\)"):
        aug.flip(np.zeros(5))


def test_synonym_replacement():
    rng = np.random.default_rng(0)
    words = aug.tokenize(SENTENCE)
    for n in (1, 3):
        new = aug.synonym_replacement(words, n, rng)
        changed = [i for i, (a, b) in enumerate(zip(words, new)) if a != b]
        assert len(new) == len(words) and 1 <= len(changed) <= n
        for i in changed:
            assert words[i] not in aug.STOP_WORDS and new[i] in aug.SYNONYMS[words[i]]
    assert words == aug.tokenize(SENTENCE)  # the input list is not changed


def test_random_insertion():
    rng = np.random.default_rng(1)
    words = aug.tokenize(SENTENCE)
    new = aug.random_insertion(words, 2, rng)
    assert len(new) == len(words) + 2
    extra = list(new)
    for w in words:
        extra.remove(w)  # the original words are all still there, in order
    allowed = {s for w in words for s in aug.SYNONYMS.get(w, [])}
    assert set(extra) <= allowed


def test_random_swap_is_a_permutation():
    rng = np.random.default_rng(2)
    words = aug.tokenize(SENTENCE)
    new = aug.random_swap(words, 1, rng)
    assert sorted(new) == sorted(words)
    assert sum(a != b for a, b in zip(words, new)) in (0, 2)


def test_random_deletion_rate():
    rng = np.random.default_rng(3)
    words = aug.tokenize(SENTENCE)
    assert aug.random_deletion(words, 0.0, rng) == words
    assert len(aug.random_deletion(words, 1.0, rng)) == 1
    kept = np.mean([len(aug.random_deletion(words, 0.3, rng)) for _ in range(3000)])
    assert abs(kept / len(words) - 0.7) < 0.02


def test_eda_is_seeded():
    a = aug.eda(SENTENCE, np.random.default_rng(7), per_operation=2)
    b = aug.eda(SENTENCE, np.random.default_rng(7), per_operation=2)
    assert a == b and set(a) == {"SR", "RI", "RS", "RD"}
    assert all(len(v) == 2 for v in a.values())


def test_augmentation_widget_in_kernel(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse.augment import augmentation_widget, rotate\n"
        "images = np.random.default_rng(0).integers(0, 256, size=(3, 12, 12)).astype(np.uint8)\n"
        "w = augmentation_widget(images)\n"
        "w.children[0].value = 2\n"
        "w.children[2].value = 90\n"
        "print(np.allclose(w.result['augmented'], np.rot90(images[2])),"
        " np.array_equal(w.result['original'], images[2]))\n"
    )
    assert out.split() == ["True", "True"]


def test_augmentation_widget_redraws_once_per_input_and_says_the_image():
    images = np.random.default_rng(1).integers(0, 256, size=(3, 10, 10)).astype(np.uint8)
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = aug.augmentation_widget(images, labels=[0, 2, 1], class_names=["shirt", "shoe", "bag"])
        w.children[0].value = 1
        w.children[1].value = "vertical"
    assert draw.call_count == 1 + 2
    picture = w.children[6]  # between the six controls and the printed output
    assert ('alt="image 1: bag (the label does not change) | original | augmented (flip vertical, rotated 0 degrees, '
            'shifted 0 down and 0 right, noise std 0)"') in picture.value
    assert np.array_equal(w.result["augmented"], images[1][::-1])
    shown = [ax.get_images()[0].get_array() for ax in draw.call_args.args[0].fig.axes]
    assert np.array_equal(shown[0], images[1]) and np.array_equal(shown[1], images[1][::-1])
