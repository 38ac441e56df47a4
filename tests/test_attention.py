"""dlcourse.attention: scores against Keras's attention layers, the Keras Luong layer
against the NumPy one, the seq2seq data and decoding, and the heat-map widget."""

from unittest import mock

import numpy as np
import pytest

from dlcourse import attention as att
from dlcourse import figures
from dlcourse.activations import softmax
from dlcourse.checks import rel_error

keras = pytest.importorskip("keras")


@pytest.fixture
def qk():
    rng = np.random.default_rng(0)
    return rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 6, 5))


def test_dot_attention_matches_keras_attention(qk):
    q, k = qk
    context, weights = att.attend(q, k, "dot")
    keras_context, keras_weights = keras.layers.Attention()(
        [q.astype("float32"), k.astype("float32")], return_attention_scores=True)
    np.testing.assert_allclose(weights, keras_weights.numpy(), atol=1e-6)
    np.testing.assert_allclose(context, keras_context.numpy(), atol=1e-5)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)


def test_general_attention_is_dot_attention_on_transformed_queries(qk):
    q, k = qk
    w_a = np.random.default_rng(1).normal(size=(5, 5))
    context, weights = att.attend(q, k, "general", w_a=w_a)
    keras_context, keras_weights = keras.layers.Attention()(
        [(q @ w_a).astype("float32"), k.astype("float32")], return_attention_scores=True)
    np.testing.assert_allclose(weights, keras_weights.numpy(), atol=1e-6)
    np.testing.assert_allclose(context, keras_context.numpy(), atol=1e-5)


def test_concat_attention_matches_keras_additive_attention(qk):
    q, k = qk
    layer = keras.layers.AdditiveAttention()
    keras_context, keras_weights = layer([q.astype("float32"), k.astype("float32")],
                                         return_attention_scores=True)
    scale = layer.get_weights()[0].astype(np.float64)
    w_a = np.vstack([np.eye(5), np.eye(5)])            # W_a [h; hbar] = h + hbar
    context, weights = att.attend(q, k, "concat", w_a=w_a, v_a=scale)
    np.testing.assert_allclose(weights, keras_weights.numpy(), atol=1e-6)
    np.testing.assert_allclose(context, keras_context.numpy(), atol=1e-5)


def test_concat_scores_match_a_loop_over_positions():
    rng = np.random.default_rng(2)
    q, k = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 3))   # different sizes allowed
    w_a, v_a = rng.normal(size=(7, 6)), rng.normal(size=6)
    expected = np.array([[[v_a @ np.tanh(np.concatenate([q[n, t], k[n, s]]) @ w_a)
                           for s in range(5)] for t in range(3)] for n in range(2)])
    np.testing.assert_allclose(att.scores(q, k, "concat", w_a, v_a), expected, atol=1e-12)


@pytest.mark.parametrize("kind", att.SCORES)
def test_keras_luong_layer_matches_numpy(kind, qk):
    q, k = qk
    layer = att.luong_attention_layer(kind, units=7)
    context, weights = layer(q.astype("float32"), k.astype("float32"))
    params = {p.name: p.numpy().astype(np.float64) for p in layer.weights}
    np_context, np_weights = att.attend(q, k, kind, **params)
    np.testing.assert_allclose(np.asarray(weights), np_weights, atol=1e-5)
    np.testing.assert_allclose(np.asarray(context), np_context, atol=1e-4)


def test_bad_inputs_give_readable_errors(qk):
    q, k = qk
    with pytest.raises(ValueError, match="kind must be one of"):
        att.scores(q, k, "cosine")
    with pytest.raises(ValueError, match="w_a should have shape"):
        att.scores(q, k, "general", w_a=np.eye(4))
    with pytest.raises(ValueError, match="queries should have shape"):
        att.scores(q[0], k)
    with pytest.raises(ValueError, match="equal sizes"):
        att.scores(q, k[:, :, :3])


def test_reversal_data():
    source, decoder_in, target = att.reversal_data(50, length=6, symbols=10, seed=3)
    np.testing.assert_array_equal(target, source[:, ::-1])
    assert (decoder_in[:, 0] == 10).all()
    np.testing.assert_array_equal(decoder_in[:, 1:], target[:, :-1])
    assert source.min() >= 0 and source.max() <= 9


def test_greedy_decode_feeds_back_its_own_outputs():
    keras.utils.set_random_seed(0)
    model, inspect = att.build_seq2seq("general", units=8, embed_dim=4)
    source = att.reversal_data(7, seed=4)[0]
    predictions, weights = att.greedy_decode(inspect, source)
    fed = np.concatenate([np.full((7, 1), 10), predictions[:, :-1]], axis=1)
    probs, weights_again = inspect.predict([source, fed], verbose=0)
    np.testing.assert_array_equal(probs.argmax(axis=-1), predictions)
    np.testing.assert_allclose(weights, weights_again, atol=1e-5)
    assert model.output_shape == (None, 6, 10) and weights.shape == (7, 6, 6)


def test_sequence_accuracy_and_alignment():
    targets = np.array([[1, 2, 3], [4, 5, 6]])
    assert att.sequence_accuracy(targets, targets) == 1.0
    assert att.sequence_accuracy(np.array([[1, 2, 3], [4, 5, 0]]), targets) == 0.5
    weights = softmax(np.array([[0.0, 5.0, 1.0], [3.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(att.alignment(weights), [1, 0])
    with pytest.raises(ValueError, match="shape"):
        att.sequence_accuracy(targets[:, :2], targets)


def test_heatmap_widget_reports_the_shown_example(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse.attention import attention_heatmap_widget\n"
        "weights = np.stack([np.eye(4)[::-1] * 0.7 + 0.075, np.eye(4) * 0.7 + 0.075])\n"
        "sources = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])\n"
        "w = attention_heatmap_widget(sources, sources[:, ::-1], weights)\n"
        "w.children[0].value = 0\n"
        "print(*w.result['alignment'], *w.result['prediction'])\n"
        "w.children[0].value = 1\n"
        "print(*w.result['alignment'], *w.result['source'])\n"
    )
    assert out.splitlines() == ["3 2 1 0 4 3 2 1", "0 1 2 3 5 6 7 8"]


def test_heatmap_widget_redraws_its_map_once_per_input():
    weights = np.stack([np.eye(4)[::-1] * 0.7 + 0.075, np.eye(4) * 0.7 + 0.075])
    sources = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = att.attention_heatmap_widget(sources, sources[:, ::-1], weights)
        w.children[0].value = 1
    assert draw.call_count == 2   # the first picture, then one for the input
    assert '<img alt="example 1: attention weights' in w.children[1].value
    ax = draw.call_args.args[0].fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "6", "7", "8"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["8", "7", "6", "5"]
    np.testing.assert_array_equal(ax.images[0].get_array(), weights[1])


def test_attention_pool_matches_keras_attention():
    import keras

    from dlcourse.attention import attention_pool

    rng = np.random.default_rng(5)
    H = rng.normal(size=(4, 7, 3))
    W, b, u = rng.normal(size=(3, 5)), rng.normal(size=5), rng.normal(size=5) * 2
    pooled, weights = attention_pool(H, W, b, u)
    # Keras's dot Attention with query u, keys tanh(H W + b) and values H is the same pooling
    query = np.broadcast_to(u, (4, 1, 5)).astype("float32")
    keys = np.tanh(H @ W + b).astype("float32")
    out, scores = keras.layers.Attention()([query, H.astype("float32"), keys], return_attention_scores=True)
    assert pooled.shape == (4, 3) and weights.shape == (4, 7)
    assert rel_error(weights, np.asarray(scores)[:, 0]) < 1e-5
    assert rel_error(pooled, np.asarray(out)[:, 0]) < 1e-5


def test_hierarchical_attention_matches_a_loop():
    from dlcourse.attention import hierarchical_attention

    rng = np.random.default_rng(6)
    H = rng.normal(size=(2, 3, 4, 5))  # documents, sentences, words, features
    word = rng.normal(size=(5, 6)), rng.normal(size=6), rng.normal(size=6)
    sentence = rng.normal(size=(5, 2)), rng.normal(size=2), rng.normal(size=2)
    document, word_w, sentence_w = hierarchical_attention(H, word, sentence)

    def pool(rows, W, b, u):
        e = np.exp(np.array([np.tanh(r @ W + b) @ u for r in rows]))
        alpha = e / e.sum()
        return sum(a * r for a, r in zip(alpha, rows)), alpha

    for n in range(2):
        pooled = [pool(H[n, i], *word) for i in range(3)]
        v, beta = pool([s for s, _ in pooled], *sentence)
        assert rel_error(document[n], v) < 1e-12
        assert rel_error(sentence_w[n], beta) < 1e-12
        assert all(rel_error(word_w[n, i], alpha) < 1e-12 for i, (_, alpha) in enumerate(pooled))
    assert np.allclose(word_w.sum(axis=-1), 1) and np.allclose(sentence_w.sum(axis=-1), 1)


def test_attention_pool_with_zero_context_is_the_mean():
    from dlcourse.attention import attention_pool

    H = np.random.default_rng(7).normal(size=(5, 3))
    pooled, weights = attention_pool(H, np.ones((3, 2)), np.zeros(2), np.zeros(2))
    assert np.allclose(weights, 0.2) and np.allclose(pooled, H.mean(axis=0))
    with pytest.raises(ValueError, match="shape"):
        attention_pool(H, np.ones((4, 2)), np.zeros(2), np.zeros(2))
