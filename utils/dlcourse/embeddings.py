"""Word vectors: one-hot codes, cosine similarity, analogies and a NumPy skip-gram.

Vectors are rows: a matrix ``vectors`` of shape (V, D) holds one D-dimensional vector
per word of ``words`` (a list of V strings).
"""

import numpy as np

from dlcourse import figures
from dlcourse.activations import sigmoid
from dlcourse.checks import check_array

# The decks' hand-made embedding: (femininity, youth, royalty) for nine words.
HAND_FEATURES = ("femininity", "youth", "royalty")
HAND_WORDS = ("man", "woman", "boy", "girl", "prince", "princess", "queen", "king", "monarch")
HAND_VECTORS = np.array([
    [0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 1, 1],
    [1, 1, 1], [1, 0, 1], [0, 0, 1], [0.5, 0.5, 1],
], dtype=np.float64)


def one_hot(ids, vocab_size):
    """One-hot rows: integer ``ids`` of any shape S, in [0, vocab_size) -> floats S + (vocab_size,)
    (a batch of sequences (N, T) -> (N, T, vocab_size))."""
    ids = check_array("ids", ids, dtype_kind="iu")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"ids must lie in [0, {vocab_size}), got {ids.min()}..{ids.max()}")
    return np.eye(vocab_size)[ids]


def cosine_similarity(a, b):
    """cos(a, b) = a.b / (|a| |b|) between the rows of ``a`` (N, D) and ``b`` (M, D).

    Returns (N, M); a single vector for ``a`` or ``b`` drops that axis.
    """
    a2 = np.atleast_2d(np.asarray(a, dtype=np.float64))
    b2 = np.atleast_2d(np.asarray(b, dtype=np.float64))
    if a2.shape[1] != b2.shape[1]:
        raise ValueError(f"vectors differ in length: {a2.shape[1]} and {b2.shape[1]}")
    norms = np.linalg.norm(a2, axis=1)[:, None] * np.linalg.norm(b2, axis=1)[None, :]
    if np.any(norms == 0):
        raise ValueError("cosine similarity is undefined for a zero vector")
    sims = a2 @ b2.T / norms
    if np.ndim(b) == 1:
        sims = sims[:, 0]
    if np.ndim(a) == 1:
        sims = sims[0]
    return sims


def nearest(query, vectors, words, k=5, exclude=()):
    """The ``k`` words whose vectors have the largest cosine with ``query``.

    ``query`` is a word of ``words`` or a vector. Words whose vector is zero (no
    direction, no cosine) are skipped. Returns ``[(word, cosine), ...]``.
    """
    words = list(words)
    if isinstance(query, str):
        if query not in words:
            raise KeyError(f"'{query}' is not in the vocabulary")
        exclude = set(exclude) | {query}
        query = vectors[words.index(query)]
    usable = np.linalg.norm(vectors, axis=1) > 0
    sims = np.full(len(words), -np.inf)
    sims[usable] = cosine_similarity(query, vectors[usable])
    order = [i for i in np.argsort(-sims, kind="stable") if usable[i] and words[i] not in exclude]
    return [(words[i], float(sims[i])) for i in order[:k]]


def analogy(a, b, c, vectors, words, k=1):
    """"``a`` is to ``b`` as ``c`` is to ?": nearest words to ``b - a + c``.

    ``analogy("man", "king", "woman", ...)`` searches near king - man + woman and
    leaves out the three given words, as word2vec's evaluation does.
    """
    words = list(words)
    missing = [w for w in (a, b, c) if w not in words]
    if missing:
        raise KeyError(f"not in the vocabulary: {missing}")
    rows = [vectors[words.index(w)] for w in (a, b, c)]
    target = rows[1] - rows[0] + rows[2]
    return nearest(target, vectors, words, k=k, exclude={a, b, c})


def skipgram_pairs(sentences, window):
    """(centre, context) id pairs for every word and every neighbour within ``window``.

    ``sentences``: a list of id arrays; windows do not cross sentence ends.
    Returns two int arrays of equal length.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    centres, contexts = [], []
    for ids in sentences:
        ids = np.asarray(ids)
        for offset in range(1, window + 1):
            if len(ids) > offset:
                centres += [ids[:-offset], ids[offset:]]
                contexts += [ids[offset:], ids[:-offset]]
    if not centres:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(centres).astype(np.int64), np.concatenate(contexts).astype(np.int64)


def subsample(sentences, counts, threshold, rng):
    """Drop each occurrence of word w with probability 1 - sqrt(threshold / f(w)).

    ``f(w)`` is the word's share of all tokens (Mikolov et al., 2013): very frequent
    words such as "the" and "and" are mostly dropped, rare ones always kept.
    """
    freq = counts / counts.sum()
    keep = np.minimum(1.0, np.sqrt(threshold / np.maximum(freq, 1e-12)))
    return [ids[rng.random(len(ids)) < keep[ids]] for ids in sentences]


def skipgram_loss_and_grads(w_in, w_out, centre, context, negatives):
    """Negative-sampling loss, averaged over the batch, and its gradients.

    For centre vector v = w_in[c], true context u_o = w_out[o] and k noise words u_j:
    loss = -log s(u_o.v) - sum_j log s(-u_j.v), with s the sigmoid.
    ``centre``, ``context`` (B,), ``negatives`` (B, k). Returns loss, dw_in, dw_out.
    """
    v = w_in[centre]                                  # (B, D)
    u_pos = w_out[context]                            # (B, D)
    u_neg = w_out[negatives]                          # (B, k, D)
    s_pos = np.sum(u_pos * v, axis=1)                 # (B,)
    s_neg = np.einsum("bkd,bd->bk", u_neg, v)         # (B, k)
    batch = len(centre)
    loss = -(np.sum(np.log(sigmoid(s_pos))) + np.sum(np.log(sigmoid(-s_neg)))) / batch
    g_pos = (sigmoid(s_pos) - 1.0) / batch            # dloss/ds_pos
    g_neg = sigmoid(s_neg) / batch                    # dloss/ds_neg
    dv = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)
    dw_in = np.zeros_like(w_in)
    dw_out = np.zeros_like(w_out)
    np.add.at(dw_in, centre, dv)
    np.add.at(dw_out, context, g_pos[:, None] * v)
    np.add.at(dw_out, negatives, g_neg[:, :, None] * v[:, None, :])
    return loss, dw_in, dw_out


def train_skipgram(sentences, counts, dim=50, window=2, negatives=5, epochs=3,
                   batch_size=256, lr=5.0, subsample_threshold=1e-3, seed=0):
    """Train skip-gram with negative sampling by mini-batch SGD.

    ``sentences``: id arrays; ``counts``: word counts (V,) from the vocabulary (ids with
    count 0, like the padding id, are never sampled). Returns ``w_in`` (V, dim), the
    word vectors, and the mean loss of each epoch.
    """
    rng = np.random.default_rng(seed)
    vocab_size = len(counts)
    w_in = rng.uniform(-0.5, 0.5, (vocab_size, dim)) / dim
    w_out = np.zeros((vocab_size, dim))
    noise = counts ** 0.75 / np.sum(counts ** 0.75)
    history = []
    for _ in range(epochs):
        kept = subsample(sentences, counts, subsample_threshold, rng)
        centre, context = skipgram_pairs(kept, window)
        order = rng.permutation(len(centre))
        losses = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            noise_ids = rng.choice(vocab_size, (len(batch), negatives), p=noise)
            loss, dw_in, dw_out = skipgram_loss_and_grads(
                w_in, w_out, centre[batch], context[batch], noise_ids)
            w_in -= lr * dw_in
            w_out -= lr * dw_out
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return w_in, history


def pca_2d(vectors):
    """Project rows onto their first two principal components: (N, D) -> (N, 2)."""
    x = check_array("vectors", vectors, shape=(None, None), dtype_kind="fiu").astype(np.float64)
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return x @ vt[:2].T


def neighbours_widget(vectors, words, choices, k=8):
    """Pick a word: its ``k`` nearest neighbours by cosine, drawn in the 2-D PCA map.

    The map is the PCA of the chosen word, its neighbours and a fixed background of
    ``choices``. ``widget.result`` holds ``neighbours`` ([(word, cosine), ...]).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    words = list(words)
    missing = [w for w in choices if w not in words]
    if missing:
        raise KeyError(f"not in the vocabulary: {missing}")
    k_slider = widgets.IntSlider(value=k, min=1, max=20, description="neighbours")

    fig = Figure(figsize=(7, 5.5))
    ax = fig.subplots()
    colours = {"word": figures.VERMILION, "neighbour": figures.BLUE, "background": "0.6"}
    # One line of dots per colour, dots of a scatter's s=20; grey is drawn over blue over vermilion.
    dots = {role: ax.plot([], [], "o", color=colour, ms=np.sqrt(20), mew=1.5)[0]
            for role, colour in colours.items()}
    # A label for every word the map can show; the unused ones are hidden.
    labels = [ax.annotate("", (0, 0), fontsize=9, xytext=(3, 3), textcoords="offset points")
              for _ in range(1 + k_slider.max + len(choices))]
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    picture = figures.Picture(fig)

    def show(word, k):
        found = nearest(word, vectors, words, k=k)
        neighbours = [w for w, _ in found]
        shown = list(dict.fromkeys([word] + neighbours + list(choices)))
        points = pca_2d(np.array([vectors[words.index(w)] for w in shown]))
        roles = np.array(["word" if w == word else "neighbour" if w in neighbours else "background"
                          for w in shown])
        for role, line in dots.items():
            line.set_data(*points[roles == role].T)
        for i, label in enumerate(labels):
            label.set_visible(i < len(shown))
        for label, w, point, role in zip(labels, shown, points, roles):
            label.set_text(w)
            label.xy = tuple(point)
            label.set_color(colours[role])
        ax.relim()
        ax.autoscale_view()
        ax.set_title(f"'{word}' (vermilion) and its {k} nearest neighbours by cosine (blue); PCA map")
        picture.draw()
        return {"neighbours": found}

    return figures.interactive(
        show,
        picture,
        word=widgets.Dropdown(options=list(choices), description="word"),
        k=k_slider,
    )
