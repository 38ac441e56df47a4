"""dlcourse.text: tokens, vocabulary, padding (against Keras), the shipped corpus, text CNN."""

from collections import Counter

import numpy as np
import pytest

from dlcourse import text


def test_tokenize_lowercases_and_splits_on_non_letters():
    assert text.tokenize("And the LORD's servant, Samuel; said: 'Speak'.") == [
        "and", "the", "lord", "s", "servant", "samuel", "said", "speak"]
    with pytest.raises(TypeError, match="string"):
        text.tokenize(["not", "a", "string"])


def test_vocabulary_orders_by_frequency_and_maps_unknown_words():
    docs = [["b", "a", "b"], ["c", "b", "a", "d"]]
    vocab = text.Vocabulary(docs, min_count=2)
    counts = Counter(w for d in docs for w in d)
    expected = [w for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0])) if c >= 2]
    assert vocab.words == [text.PAD, text.UNK] + expected
    ids = vocab.encode(["a", "zzz", "b"])
    assert ids.tolist() == [vocab.index["a"], 1, vocab.index["b"]]
    assert vocab.decode(vocab.encode(["b", "a"])) == ["b", "a"]
    assert vocab.counts[vocab.index["b"]] == counts["b"]
    assert len(text.Vocabulary(docs, max_size=3)) == 3


def test_pad_sequences_matches_keras_post_padding():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    seqs = [rng.integers(1, 9, n).tolist() for n in (0, 3, 7, 12)]
    ours = text.pad_sequences(seqs, 8)
    theirs = keras.utils.pad_sequences(seqs, maxlen=8, padding="post", truncating="post")
    np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError, match="at least 1"):
        text.pad_sequences(seqs, 0)


def test_corpus_has_the_verses_of_each_book():
    verses = text.load_kjv()
    per_book = Counter(book for book, *_ in verses)
    # verse counts of the KJV books (a property of the text, not of our code)
    assert per_book == {"Ruth": 85, "1Samuel": 810, "2Samuel": 695, "1Kings": 816,
                        "2Kings": 719, "Esther": 167, "Proverbs": 915}
    assert verses[0][:3] == ("Ruth", 1, 1) and verses[0][3].startswith("Now it came to pass")
    with pytest.raises(ValueError, match="no verse"):
        text.load_kjv(("Genesis",))


def test_proverbs_vs_narrative_is_balanced_and_labelled_by_book():
    texts, labels = text.proverbs_vs_narrative(seed=3)
    proverbs = [v[3] for v in text.load_kjv(("Proverbs",))]
    narrative = {v[3] for v in text.load_kjv(text.NARRATIVE_BOOKS)}
    assert len(texts) == 2 * len(proverbs) and labels.sum() == len(proverbs)
    assert sorted(t for t, label in zip(texts, labels) if label == 1) == sorted(proverbs)
    proverbs = set(proverbs)   # a few verses repeat within Proverbs
    for verse, label in zip(texts, labels):
        assert verse in (proverbs if label == 1 else narrative)


def test_text_cnn_is_the_kim_formula():
    """The Keras model equals embedding -> n-gram conv + ReLU -> max -> sigmoid, by hand."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = text.build_text_cnn(vocab_size=30, length=9, embed_dim=4, widths=(2, 3), filters=5)
    ids = np.random.default_rng(1).integers(0, 30, (3, 9))
    emb = model.get_layer("embedding").get_weights()[0].astype(np.float64)
    features = []
    for width in (2, 3):
        w, b = model.get_layer(f"conv_{width}gram").get_weights()
        x = emb[ids]                                                   # (N, L, D)
        maps = np.stack([np.einsum("njd,jdf->nf", x[:, i:i + width], w) + b
                         for i in range(9 - width + 1)], axis=1)
        features.append(np.maximum(maps, 0).max(axis=1))
    dense_w, dense_b = model.get_layer("proverbs").get_weights()
    expected = 1 / (1 + np.exp(-(np.concatenate(features, axis=1) @ dense_w + dense_b)))
    np.testing.assert_allclose(model.predict(ids, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_sentiment_sentences_carry_their_label_only_in_the_cue_words():
    tokens, labels = text.sentiment_sentences(200, length=9, seed=3)
    assert len(tokens) == 200 and labels.shape == (200,) and set(labels) == {0, 1}
    for words, label in zip(tokens, labels):
        own, other = ((text.POSITIVE_WORDS, text.NEGATIVE_WORDS) if label == 1
                      else (text.NEGATIVE_WORDS, text.POSITIVE_WORDS))
        assert len(words) == 9
        assert 1 <= sum(w in own for w in words) <= 2
        assert not any(w in other for w in words)
        assert all(w in own or w in text.NEUTRAL_WORDS for w in words)
    again, _ = text.sentiment_sentences(200, length=9, seed=3)
    assert again == tokens
    with pytest.raises(ValueError, match="at least 2"):
        text.sentiment_sentences(5, length=1)


def test_class_activation_map_averages_to_the_logits():
    """softmax(mean_t M_c(t) + b_c) is the Keras model's output: GAP and the dense layer commute."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    model = text.build_cam_text_cnn(vocab_size=20, length=7, embed_dim=4, filters=5)
    ids = np.random.default_rng(2).integers(0, 20, (4, 7))
    maps = keras.Model(model.input, model.get_layer("conv").output).predict(ids, verbose=0)
    assert maps.shape == (4, 7, 5)  # padding "same": one feature vector per word
    w, b = model.get_layer("classes").get_weights()
    w = w + np.random.default_rng(3).normal(size=w.shape)  # away from the initial weights
    b = b + 0.5
    model.get_layer("classes").set_weights([w, b])
    cam = text.class_activation_map(maps, w)
    assert cam.shape == (4, 7, 2)
    logits = cam.mean(axis=1) + b
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(ids, verbose=0), expected, rtol=1e-5, atol=1e-6)
    # by hand, one entry: M_1(3) = sum_k W_k1 f_k(3)
    assert np.isclose(cam[2, 3, 1], sum(w[k, 1] * maps[2, 3, k] for k in range(5)))
    with pytest.raises(ValueError, match="class_weights"):
        text.class_activation_map(maps, w[:4])
    with pytest.raises(ValueError, match="feature_maps"):
        text.class_activation_map(maps[0], w)
