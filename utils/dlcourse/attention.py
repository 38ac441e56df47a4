"""Luong attention: dot, general and concat scores, in NumPy and as a Keras layer,
and a small seq2seq model with attention that learns to reverse sequences.

Shapes, batch first: decoder states (queries) ``(N, T, d)``, encoder states (keys)
``(N, S, d)``; scores and weights ``(N, T, S)``: one row of weights over the S source
positions for each of the T output steps.
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import softmax
from dlcourse.checks import check_array

SCORES = ("dot", "general", "concat")


def scores(queries, keys, kind="dot", w_a=None, v_a=None):
    """score(h_t, hbar_s) for every output step t and source position s.

    Rows, as in lesson 13: dot: h_t . hbar_s;  general: h_t W_a hbar_s^T with ``w_a``
    (d_q, d_k); concat: tanh([h_t, hbar_s] W_a) . v_a with ``w_a`` (d_q + d_k, A) and
    ``v_a`` (A,), where [h_t, hbar_s] puts the two rows side by side.
    """
    q = check_array("queries", queries, shape=(None, None, None), dtype_kind="f")
    k = check_array("keys", keys, shape=(q.shape[0], None, None), dtype_kind="f")
    if kind == "dot":
        if q.shape[2] != k.shape[2]:
            raise ValueError(f"dot scores need equal sizes, got {q.shape[2]} and {k.shape[2]}")
        return np.einsum("ntd,nsd->nts", q, k)
    if kind == "general":
        w_a = check_array("w_a", w_a, shape=(q.shape[2], k.shape[2]), dtype_kind="f")
        return np.einsum("ntd,de,nse->nts", q, w_a, k)
    if kind == "concat":
        w_a = check_array("w_a", w_a, shape=(q.shape[2] + k.shape[2], None), dtype_kind="f")
        v_a = check_array("v_a", v_a, shape=(w_a.shape[1],), dtype_kind="f")
        from_q = q @ w_a[: q.shape[2]]                # (N, T, A)
        from_k = k @ w_a[q.shape[2]:]                 # (N, S, A)
        return np.tanh(from_q[:, :, None, :] + from_k[:, None, :, :]) @ v_a
    raise ValueError(f"kind must be one of {SCORES}, got {kind!r}")


def attend(queries, keys, kind="dot", w_a=None, v_a=None):
    """Weights alpha_t(s) = softmax_s(score) and context c_t = sum_s alpha_t(s) hbar_s.

    Returns ``context`` (N, T, d_k) and ``weights`` (N, T, S).
    """
    weights = softmax(scores(queries, keys, kind, w_a, v_a), axis=-1)
    return weights @ np.asarray(keys, dtype=np.float64), weights


def attention_pool(H, W, b, u):
    """Attention pooling (Yang et al., 2016): one vector from a sequence of rows.

    ``H (..., T, d)`` -> ``u_t = tanh(h_t W + b)`` ``(..., T, A)``, weights
    ``alpha_t = softmax_t(u_t . u)`` ``(..., T)`` and the pooled ``sum_t alpha_t h_t``
    ``(..., d)``; ``W (d, A)``, ``b (A,)``, ``u (A,)`` (the learned "context vector").
    Returns ``(pooled, weights)``.
    """
    H = check_array("H", H, dtype_kind="f")
    if H.ndim < 2:
        raise ValueError(f"H must be (..., T, d), got shape {H.shape}")
    W = check_array("W", W, shape=(H.shape[-1], None), dtype_kind="f")
    b = check_array("b", b, shape=(W.shape[1],), dtype_kind="f")
    u = check_array("u", u, shape=(W.shape[1],), dtype_kind="f")
    weights = softmax(np.tanh(H @ W + b) @ u, axis=-1)
    return np.einsum("...t,...td->...d", weights, H), weights


def hierarchical_attention(H, word, sentence):
    """A hierarchical attention network's two poolings: words -> sentences -> document.

    ``H (N, S, T, d)``: N documents of S sentences of T word vectors each (in the paper,
    the states of a bidirectional GRU over the words). ``word`` and ``sentence`` are
    ``(W, b, u)`` triples for :func:`attention_pool`. Word attention pools each sentence
    into ``s_i (N, S, d)``; sentence attention pools those into the document ``v (N, d)``
    (the paper runs a bidirectional GRU over the s_i first; that step is left out here).
    Returns ``v``, the word weights ``(N, S, T)`` and the sentence weights ``(N, S)``.
    """
    H = check_array("H", H, shape=(None, None, None, None), dtype_kind="f")
    sentences, word_weights = attention_pool(H, *word)
    document, sentence_weights = attention_pool(sentences, *sentence)
    return document, word_weights, sentence_weights


def luong_attention_layer(kind="dot", units=32):
    """A Keras layer computing ``context, weights = layer(queries, keys)`` like ``attend``.

    Its weights are ``w_a`` (general, concat) and ``v_a`` (concat), in the shapes
    ``scores`` takes, so a test can feed them to the NumPy version.
    """
    import keras
    from keras import ops

    if kind not in SCORES:
        raise ValueError(f"kind must be one of {SCORES}, got {kind!r}")

    class LuongAttention(keras.layers.Layer):
        def build(self, queries_shape, keys_shape):
            d_q, d_k = queries_shape[-1], keys_shape[-1]
            if kind == "general":
                self.w_a = self.add_weight(shape=(d_q, d_k), name="w_a")
            if kind == "concat":
                self.w_a = self.add_weight(shape=(d_q + d_k, units), name="w_a")
                self.v_a = self.add_weight(shape=(units,), name="v_a")

        def call(self, queries, keys):
            d_q = ops.shape(queries)[-1]
            if kind == "dot":
                score = ops.matmul(queries, ops.transpose(keys, (0, 2, 1)))
            elif kind == "general":
                score = ops.matmul(ops.matmul(queries, self.w_a), ops.transpose(keys, (0, 2, 1)))
            else:
                from_q = ops.expand_dims(ops.matmul(queries, self.w_a[:d_q]), 2)
                from_k = ops.expand_dims(ops.matmul(keys, self.w_a[d_q:]), 1)
                score = ops.matmul(ops.tanh(from_q + from_k), self.v_a)
            weights = ops.softmax(score, axis=-1)
            return ops.matmul(weights, keys), weights

    return LuongAttention(name=f"attention_{kind}")


def reversal_data(n, length=6, symbols=10, seed=0):
    """The synthetic task: random sequences and their reversals.

    Returns ``source`` (n, length) in 0..symbols-1, ``decoder_in`` (the target shifted
    right behind the start token ``symbols``) and ``target`` = source reversed.
    """
    rng = np.random.default_rng(seed)
    source = rng.integers(0, symbols, (n, length))
    target = source[:, ::-1].copy()
    decoder_in = np.concatenate([np.full((n, 1), symbols), target[:, :-1]], axis=1)
    return source, decoder_in, target


def build_seq2seq(kind="dot", symbols=10, length=6, units=64, embed_dim=16, pass_state=False):
    """Encoder LSTM -> decoder LSTM (teacher forcing) -> Luong attention ->
    h~_t = tanh([c_t, h_t] W_c) -> softmax(h~_t W_s).

    ``pass_state=False`` starts the decoder from zeros instead of the encoder's final
    state, so everything the decoder learns about the source comes through attention.

    Returns ``(model, inspect)``: ``model`` maps [source, decoder_in] to probabilities
    (N, length, symbols); ``inspect`` shares its layers and also returns the weights.
    """
    import keras

    source = keras.Input((length,), dtype="int32", name="source")
    decoder_in = keras.Input((length,), dtype="int32", name="decoder_in")
    enc = keras.layers.Embedding(symbols, embed_dim, name="source_embedding")(source)
    enc_states, h, c = keras.layers.LSTM(units, return_sequences=True, return_state=True,
                                         name="encoder")(enc)
    dec = keras.layers.Embedding(symbols + 1, embed_dim, name="target_embedding")(decoder_in)
    decoder = keras.layers.LSTM(units, return_sequences=True, name="decoder")
    dec_states = decoder(dec, initial_state=[h, c]) if pass_state else decoder(dec)
    context, weights = luong_attention_layer(kind, units)(dec_states, enc_states)
    joined = keras.layers.Concatenate(name="context_and_state")([context, dec_states])
    attentional = keras.layers.Dense(units, activation="tanh", name="W_c")(joined)
    probs = keras.layers.Dense(symbols, activation="softmax", name="W_s")(attentional)
    model = keras.Model([source, decoder_in], probs, name=f"seq2seq_{kind}")
    inspect = keras.Model([source, decoder_in], [probs, weights], name=f"inspect_{kind}")
    return model, inspect


def greedy_decode(inspect, source, symbols=10):
    """Decode one step at a time, feeding back the model's own previous outputs.

    Returns ``predictions`` (N, length) and the attention ``weights`` (N, length, length).
    """
    source = np.asarray(source)
    n, length = source.shape
    decoder_in = np.zeros((n, length), dtype=np.int64)
    decoder_in[:, 0] = symbols
    for t in range(length):
        probs, weights = (np.asarray(out) for out in inspect([source, decoder_in], training=False))
        if t + 1 < length:
            decoder_in[:, t + 1] = probs[:, t].argmax(axis=-1)
    return probs.argmax(axis=-1), weights


def sequence_accuracy(predictions, targets):
    """Share of sequences with every position right."""
    predictions = check_array("predictions", predictions, dtype_kind="iu")
    targets = check_array("targets", targets, shape=predictions.shape, dtype_kind="iu")
    return float(np.mean(np.all(predictions == targets, axis=1)))


def alignment(weights):
    """For each output step, the source position with the largest weight."""
    weights = check_array("weights", weights, shape=(None, None), dtype_kind="f")
    return weights.argmax(axis=1)


def attention_heatmap_widget(sources, predictions, weights):
    """Slide through examples: the attention weights as a heat map, output steps down,
    source positions across. ``widget.result`` holds ``weights``, ``source``,
    ``prediction`` and ``alignment`` for the shown example."""
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    weights = check_array("weights", weights, shape=(None, None, None), dtype_kind="f")
    sources = check_array("sources", sources, shape=(weights.shape[0], weights.shape[2]))
    predictions = check_array("predictions", predictions, shape=weights.shape[:2])

    fig = Figure(figsize=(5, 4.5))
    ax = fig.subplots()
    image = ax.imshow(weights[0], cmap="viridis", vmin=0, vmax=1)
    ax.set_xlabel("source symbol (position left to right)")
    ax.set_ylabel("output symbol (step top to bottom)")
    fig.colorbar(image, ax=ax)
    picture = figures.Picture(fig)

    def show(example):
        w = weights[example]
        image.set_data(w)
        ax.set_xticks(range(w.shape[1]), [str(s) for s in sources[example]])
        ax.set_yticks(range(w.shape[0]), [str(p) for p in predictions[example]])
        ax.set_title(rf"example {example}: attention weights $\alpha_t(s)$")
        picture.draw()
        return {"weights": w, "source": sources[example], "prediction": predictions[example],
                "alignment": alignment(w)}

    return figures.interactive(
        show, picture,
        example=widgets.IntSlider(value=0, min=0, max=len(weights) - 1, description="example"))
