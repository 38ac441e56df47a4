"""The character-level RNN language model: loss and gradients, sampling, perplexity, baselines."""

import numpy as np
import pytest

from dlcourse import language_model as lm
from dlcourse.checks import numerical_gradient, rel_error


def random_params(rng, vocab=5, hidden=4):
    return {"Wx": rng.normal(size=(vocab, hidden)), "Wh": rng.normal(size=(hidden, hidden)) * 0.5,
            "b": rng.normal(size=hidden), "Wy": rng.normal(size=(hidden, vocab)),
            "by": rng.normal(size=vocab)}


def test_sequence_loss_matches_tensorflow_sparse_categorical_crossentropy():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(3, 4, 6)) * 3
    logits[0, 0] += 900  # rows far apart: a global maximum would overflow
    y = rng.integers(0, 6, size=(3, 4))
    loss, _ = lm.sequence_softmax_loss(logits, y)
    expected = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
    assert abs(loss - float(expected)) < 1e-6


def test_sequence_loss_gradient_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    logits, y = rng.normal(size=(2, 3, 5)), rng.integers(0, 5, size=(2, 3))
    _, dlogits = lm.sequence_softmax_loss(logits, y)
    numeric = numerical_gradient(lambda z: lm.sequence_softmax_loss(z, y)[0], logits)
    assert rel_error(dlogits, numeric) < 1e-7


@pytest.mark.parametrize("with_h0", [False, True])
def test_model_gradients_match_numerical_gradient(with_h0):
    rng = np.random.default_rng(2)
    params = random_params(rng, vocab=5, hidden=4)
    x, y = rng.integers(0, 5, size=(3, 6)), rng.integers(0, 5, size=(3, 6))
    h0 = rng.normal(size=(3, 4)) * 0.5 if with_h0 else None
    _, grads, h_last = lm.loss_and_grads(params, x, y, h0)
    assert h_last.shape == (3, 4)
    for name in lm.PARAMS:
        numeric = numerical_gradient(lambda _: lm.loss_and_grads(params, x, y, h0)[0], params[name])
        assert grads[name].shape == params[name].shape
        assert rel_error(grads[name], numeric) < 1e-6, name


def test_model_gradients_match_tensorflow_autodiff():
    import tensorflow as tf

    rng = np.random.default_rng(3)
    params = random_params(rng, vocab=6, hidden=3)
    x, y = rng.integers(0, 6, size=(2, 5)), rng.integers(0, 6, size=(2, 5))
    _, grads, _ = lm.loss_and_grads(params, x, y)
    weights = {k: tf.Variable(v) for k, v in params.items()}
    with tf.GradientTape() as tape:
        h, logits = tf.zeros((2, 3), tf.float64), []
        for t in range(5):
            h = tf.tanh(tf.gather(weights["Wx"], x[:, t]) + h @ weights["Wh"] + weights["b"])
            logits.append(h @ weights["Wy"] + weights["by"])
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(
            y, tf.stack(logits, axis=1), from_logits=True))
    tape_grads = tape.gradient(loss, weights)
    for name in lm.PARAMS:
        assert rel_error(grads[name], tf.convert_to_tensor(tape_grads[name]).numpy()) < 1e-8, name


def test_temperature_near_zero_gives_argmax_and_one_matches_softmax():
    rng = np.random.default_rng(4)
    logits = np.array([0.3, 2.0, -1.0, 1.1])
    assert lm.sample_index(logits, 0, rng) == 1
    assert all(lm.sample_index(logits, 1e-3, rng) == 1 for _ in range(200))
    draws = np.array([lm.sample_index(logits, 1.0, rng) for _ in range(8000)])
    freq = np.bincount(draws, minlength=4) / len(draws)
    assert np.max(np.abs(freq - lm.softmax(logits))) < 0.02
    hot = np.bincount([lm.sample_index(logits, 2.0, rng) for _ in range(8000)], minlength=4) / 8000
    assert np.max(np.abs(hot - lm.softmax(logits / 2))) < 0.02


def test_sampling_is_seeded_and_bad_temperature_says_so():
    params = random_params(np.random.default_rng(5))
    first = lm.sample(params, [0, 1], 30, temperature=1.0, seed=7)
    assert np.array_equal(first, lm.sample(params, [0, 1], 30, temperature=1.0, seed=7))
    with pytest.raises(ValueError, match="temperature"):
        lm.sample_index(np.zeros(3), -1.0, np.random.default_rng(0))


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    assert lm.perplexity(np.full(50, 1 / 7)) == pytest.approx(7)
    params = random_params(np.random.default_rng(6), vocab=9, hidden=4)
    params["Wy"][:] = 0
    params["by"][:] = 0.3  # equal logits: every character 1/9
    ids = np.random.default_rng(6).integers(0, 9, size=40)
    assert lm.perplexity(lm.target_probabilities(params, ids)) == pytest.approx(9)


def test_target_probabilities_agree_with_the_training_forward_pass():
    rng = np.random.default_rng(8)
    params = random_params(rng, vocab=5, hidden=4)
    ids = rng.integers(0, 5, size=12)
    loss, _, _ = lm.loss_and_grads(params, ids[None, :-1], ids[None, 1:])
    assert -np.mean(np.log(lm.target_probabilities(params, ids))) == pytest.approx(loss)


def test_baselines_on_a_tiny_corpus_by_hand():
    # corpus "abab" over V = 3 (a, b, c): unigram counts a 2, b 2, c 0 -> (3/7, 3/7, 1/7)
    train, test = np.array([0, 1, 0, 1]), np.array([0, 1, 2])
    assert np.allclose(lm.unigram_probs(train, 3), [3 / 7, 3 / 7, 1 / 7])
    # bigrams ab, ba, ab: from a: b twice -> p(.|a) = (1, 3, 1)/5; from b: a once -> (2, 1, 1)/4
    P = lm.bigram_probs(train, 3)
    assert np.allclose(P, [[1 / 5, 3 / 5, 1 / 5], [2 / 4, 1 / 4, 1 / 4], [1 / 3, 1 / 3, 1 / 3]])
    # test targets b (after a) and c (after b)
    got = lm.baseline_perplexities(train, test, 3)
    assert got["unigram"] == pytest.approx(np.exp(-(np.log(3 / 7) + np.log(1 / 7)) / 2))
    assert got["bigram"] == pytest.approx(np.exp(-(np.log(3 / 5) + np.log(1 / 4)) / 2))


def test_training_lowers_the_loss_and_beats_the_unigram_baseline():
    text = "the cat sat on the mat. " * 40
    chars = lm.build_vocabulary(text)
    ids = lm.encode(text, chars)
    params = lm.init_params(len(chars), 16, seed=0)
    losses = lm.train(params, ids[:800], steps=150, batch=4, seq_len=16, learning_rate=1e-2)
    assert losses[-10:].mean() < 0.5 * losses[:3].mean()
    rnn = lm.perplexity(lm.target_probabilities(params, ids[800:]))
    assert rnn < lm.baseline_perplexities(ids[:800], ids[800:], len(chars))["bigram"]


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.encode("abz", ["a", "b"])
    with pytest.raises(ValueError, match="shape"):
        lm.sequence_softmax_loss(np.zeros((2, 3, 4)), np.zeros((3, 2), dtype=int))
    with pytest.raises(ValueError, match="Wy"):
        lm.loss_and_grads({"Wx": np.zeros((3, 2)), "Wh": np.zeros((2, 2)), "b": np.zeros(2),
                           "Wy": np.zeros((3, 2)), "by": np.zeros(3)}, [[0]], [[1]])


def test_kjv_split_holds_out_every_tenth_verse():
    train, test = lm.kjv_split()
    assert 8 * len(test) < len(train) < 10 * len(test)
    assert train == train.lower() and "\t" not in test
