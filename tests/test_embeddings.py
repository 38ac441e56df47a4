"""dlcourse.embeddings against SciPy, scikit-learn, Keras and numerical gradients."""

import html
from unittest import mock

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.special import expit

from dlcourse import checks, figures
from dlcourse import embeddings as emb


def test_one_hot_matches_keras_and_rejects_bad_ids():
    keras = pytest.importorskip("keras")
    ids = np.array([3, 0, 4, 3])
    np.testing.assert_array_equal(emb.one_hot(ids, 6), keras.ops.one_hot(ids, 6).numpy())
    with pytest.raises(ValueError, match=r"\[0, 6\)"):
        emb.one_hot(np.array([1, 6]), 6)
    with pytest.raises(TypeError, match="integers"):
        emb.one_hot(np.array([0.5]), 6)
    batch = np.array([[3, 0], [4, 3]])  # sequences (N, T) -> (N, T, V), as the language model uses it
    np.testing.assert_array_equal(emb.one_hot(batch, 6), keras.ops.one_hot(batch, 6).numpy())


def test_cosine_similarity_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 5)), rng.normal(size=(6, 5))
    np.testing.assert_allclose(emb.cosine_similarity(a, b), 1 - cdist(a, b, "cosine"), atol=1e-12)
    assert emb.cosine_similarity(a[0], b).shape == (6,)
    assert np.ndim(emb.cosine_similarity(a[0], b[0])) == 0
    with pytest.raises(ValueError, match="zero vector"):
        emb.cosine_similarity(np.zeros(5), b)
    with pytest.raises(ValueError, match="differ in length"):
        emb.cosine_similarity(a, b[:, :3])


def test_nearest_is_the_scipy_ranking_without_the_query():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(20, 6))
    words = [f"w{i}" for i in range(20)]
    sims = 1 - cdist(vectors[[4]], vectors, "cosine")[0]
    expected = [words[i] for i in np.argsort(-sims) if i != 4][:5]
    assert [w for w, _ in emb.nearest("w4", vectors, words, k=5)] == expected
    with pytest.raises(KeyError, match="vocabulary"):
        emb.nearest("nope", vectors, words)


def test_hand_made_analogy_gives_queen():
    words = list(emb.HAND_WORDS)
    v = emb.HAND_VECTORS
    target = v[words.index("king")] - v[words.index("man")] + v[words.index("woman")]
    np.testing.assert_array_equal(target, v[words.index("queen")])
    found = emb.analogy("man", "king", "woman", v, words, k=3)
    assert found[0][0] == "queen" and abs(found[0][1] - 1) < 1e-12
    assert not {"man", "king", "woman"} & {w for w, _ in found}


def test_skipgram_pairs_match_a_double_loop():
    sentences = [np.array([5, 6, 7, 8, 9]), np.array([1, 2]), np.array([3])]
    for window in (1, 2, 4):
        expected = sorted((s[i], s[j]) for s in sentences for i in range(len(s))
                          for j in range(len(s)) if i != j and abs(i - j) <= window)
        centre, context = emb.skipgram_pairs(sentences, window)
        assert sorted(zip(centre.tolist(), context.tolist())) == expected
    with pytest.raises(ValueError, match="window"):
        emb.skipgram_pairs(sentences, 0)


def test_skipgram_loss_and_gradients_match_formula_and_numerical_gradient():
    rng = np.random.default_rng(2)
    w_in, w_out = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    centre, context = np.array([0, 1, 1, 5]), np.array([2, 2, 0, 4])
    negatives = rng.integers(0, 6, (4, 3))
    loss, dw_in, dw_out = emb.skipgram_loss_and_grads(w_in, w_out, centre, context, negatives)
    direct = np.mean([-np.log(expit(w_out[o] @ w_in[c])) - sum(np.log(expit(-w_out[n] @ w_in[c])) for n in ns)
                      for c, o, ns in zip(centre, context, negatives)])
    assert abs(loss - direct) < 1e-12
    f_in = lambda w: emb.skipgram_loss_and_grads(w, w_out, centre, context, negatives)[0]
    f_out = lambda w: emb.skipgram_loss_and_grads(w_in, w, centre, context, negatives)[0]
    checks.assert_close("dw_in", dw_in, checks.numerical_gradient(f_in, w_in), tol=1e-6)
    checks.assert_close("dw_out", dw_out, checks.numerical_gradient(f_out, w_out), tol=1e-6)


def test_subsample_keeps_rare_words_and_thins_frequent_ones():
    counts = np.array([0, 1, 10_000])
    sentences = [np.array([1] * 50 + [2] * 5000)]
    kept = emb.subsample(sentences, counts, threshold=1e-3, rng=np.random.default_rng(0))[0]
    assert np.sum(kept == 1) == 50
    keep_2 = np.sqrt(1e-3 / (10_000 / 10_001))
    assert abs(np.sum(kept == 2) / 5000 - keep_2) < 0.02


def test_skipgram_learns_that_words_in_the_same_contexts_are_similar():
    rng = np.random.default_rng(0)
    # ids 1,2 always sit between 5 and 6; ids 3,4 always between 7 and 8
    sentences = [np.array([5, rng.choice([1, 2]), 6]) for _ in range(300)]
    sentences += [np.array([7, rng.choice([3, 4]), 8]) for _ in range(300)]
    counts = np.array([0] + [np.sum(np.concatenate(sentences) == i) for i in range(1, 9)])
    vectors, losses = emb.train_skipgram(sentences, counts, dim=8, window=1, epochs=15,
                                         batch_size=32, lr=2.0, subsample_threshold=1.0, seed=0)
    assert losses[-1] < losses[0]
    sims = emb.cosine_similarity(vectors, vectors)
    assert sims[1, 2] > sims[1, 3] and sims[3, 4] > sims[2, 4]


def test_pca_2d_matches_scikit_learn_up_to_sign():
    from sklearn.decomposition import PCA

    x = np.random.default_rng(3).normal(size=(30, 7)) * np.arange(1, 8)
    ours, theirs = emb.pca_2d(x), PCA(2).fit_transform(x)
    for col in range(2):
        sign = np.sign(ours[:, col] @ theirs[:, col])
        np.testing.assert_allclose(ours[:, col] * sign, theirs[:, col], atol=1e-10)
    with pytest.raises(ValueError, match="shape"):
        emb.pca_2d(np.zeros(5))


def test_neighbours_widget_reports_the_nearest_words(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse import embeddings as emb\n"
        "words = list(emb.HAND_WORDS)\n"
        "w = emb.neighbours_widget(emb.HAND_VECTORS, words, ['king', 'girl', 'queen'], k=2)\n"
        "w.children[0].value = 'girl'\n"
        "print(w.result['neighbours'] == emb.nearest('girl', emb.HAND_VECTORS, words, k=2))\n"
        "print(w.result['neighbours'][0][0])\n"
    )
    first, second = out.split()
    assert first == "True"
    assert second == "princess"   # cos(girl, princess) = 2/sqrt(6) > cos(girl, woman) = 1/sqrt(2)


def test_neighbours_widget_redraws_its_map_once_per_input():
    words = list(emb.HAND_WORDS)
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = emb.neighbours_widget(emb.HAND_VECTORS, words, ["king", "girl", "queen"], k=2)
        w.children[0].value = "girl"
        w.children[1].value = 3
    assert draw.call_count == 3   # the first picture, then one per input
    assert "'girl' (vermilion) and its 3 nearest neighbours" in html.unescape(w.children[2].value)
    labels = [t.get_text() for t in draw.call_args.args[0].fig.axes[0].texts if t.get_visible()]
    neighbours = [word for word, _ in emb.nearest("girl", emb.HAND_VECTORS, words, k=3)]
    assert labels == ["girl", *neighbours, "king", "queen"]
