"""dlcourse.captioning: synthetic pictures, captions, questions, teacher forcing and greedy
decoding, and the two Keras models' shapes."""

import numpy as np
import pytest

from dlcourse import captioning as cap


def test_shape_masks_have_the_areas_of_their_shapes():
    r = 4.5
    square = cap.shape_mask("square", (8.2, 8.2), r)
    circle = cap.shape_mask("circle", (8.2, 8.2), r)
    triangle = cap.shape_mask("triangle", (8.2, 8.2), r)
    assert square.sum() == 81                              # pixel centres 4.5 .. 12.5: 9 x 9
    assert abs(circle.sum() - np.pi * r ** 2) < 6
    assert abs(triangle.sum() - (2 * r) * r) < 8           # base 2r, height 2r
    assert triangle[4:8].sum() < triangle[9:13].sum()      # narrower at the top
    with pytest.raises(ValueError, match="shape"):
        cap.shape_mask("star", (8, 8), r)


def test_pictures_show_the_colour_and_size_they_say():
    images, attributes = cap.make_shape_images(30, np.random.default_rng(0), noise=0.0)
    assert images.shape == (30, 16, 16, 3) and images.dtype == np.float32
    for i in range(30):
        colour = np.array(list(cap.COLOURS.values())[attributes["colour"][i]])
        painted = np.all(np.isclose(images[i], colour, atol=1e-6), axis=-1)
        assert painted.sum() > 0 and np.all(images[i][~painted] == 0)
        rows = np.flatnonzero(painted.any(axis=1))
        assert (rows[-1] - rows[0] + 1 >= 7) == (cap.SIZES[attributes["size"][i]] == "large")
    again, _ = cap.make_shape_images(30, np.random.default_rng(0), noise=0.0)
    np.testing.assert_array_equal(images, again)
    with pytest.raises(ValueError, match="12x12"):
        cap.make_shape_images(3, np.random.default_rng(0), size=8)


def test_captions_decoder_inputs_and_words():
    attributes = {"colour": np.array([1, 0]), "shape": np.array([1, 2]), "size": np.array([1, 0])}
    ids = cap.captions(attributes)
    assert [cap.words(row) for row in ids] == ["a large blue circle", "a small orange triangle"]
    shifted = cap.decoder_inputs(ids)
    assert cap.words(shifted[0]) == "<start> a large blue circle"
    np.testing.assert_array_equal(shifted[:, 1:], ids[:, :-1])


def test_questions_are_answered_by_the_attributes():
    images, attributes = cap.make_shape_images(60, np.random.default_rng(1))
    question_ids, answers, asked = cap.questions(attributes, np.random.default_rng(2))
    assert question_ids.shape == (60, 4) and set(asked) == {0, 1, 2}
    for i in range(60):
        kind = list(cap.QUESTIONS)[asked[i]]
        assert " ".join(cap.QUESTION_WORDS[w] for w in question_ids[i]) == cap.QUESTIONS[kind]
        assert cap.ANSWER_WORDS[answers[i]] == cap.ATTRIBUTES[kind][attributes[kind][i]]


def test_greedy_captions_feed_back_each_choice():
    class Echo:
        """p(next word) puts all its mass on (the word just read + 1), as a causal model would."""

        def predict(self, inputs, verbose=0, batch_size=None):
            so_far = inputs[1]
            return np.eye(len(cap.CAPTION_WORDS))[(so_far + 1) % len(cap.CAPTION_WORDS)]

    chosen = cap.greedy_captions(Echo(), np.zeros((2, 16, 16, 3)), caption_len=4)
    start = cap.CAPTION_WORDS.index("<start>")
    np.testing.assert_array_equal(chosen, [[start + 1, start + 2, start + 3, start + 4]] * 2)


def test_keras_models_have_the_documented_shapes():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    images, attributes = cap.make_shape_images(3, np.random.default_rng(3))
    captioner = cap.build_captioner(hidden=8)
    p = captioner.predict([images, cap.decoder_inputs(cap.captions(attributes))], verbose=0)
    assert p.shape == (3, 5, len(cap.CAPTION_WORDS))
    np.testing.assert_allclose(p.sum(-1), 1, atol=1e-5)
    # causal: changing a later input word leaves the earlier steps' predictions alone
    words_in = cap.decoder_inputs(cap.captions(attributes))
    changed = words_in.copy()
    changed[:, 3] = 0
    np.testing.assert_allclose(captioner.predict([images, changed], verbose=0)[:, :3], p[:, :3], atol=1e-6)
    question_ids, _, _ = cap.questions(attributes, np.random.default_rng(4))
    vqa = cap.build_vqa_model(hidden=8)
    assert vqa.predict([images, question_ids], verbose=0).shape == (3, len(cap.ANSWER_WORDS))
