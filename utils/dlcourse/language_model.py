"""A character-level language model: a vanilla RNN in NumPy, its baselines, sampling.

The model reads one character at a time (one-hot, ``V`` characters) and predicts the next::

    z_t = x_t @ Wx + h_{t-1} @ Wh + b        x_t (N, V) one-hot, Wx (V, H), Wh (H, H), b (H,)
    h_t = tanh(z_t)                          h_t (N, H)
    logits_t = h_t @ Wy + by                 Wy (H, V), by (V,)
    L = mean over n, t of -log softmax(logits_t)[y_t]

The recurrent part, its backpropagation through time and the clipping are lesson 11's
(:mod:`dlcourse.rnn`); this module adds the read-out, the per-step loss, training by
truncated BPTT, sampling with a temperature, perplexity and the unigram and bigram
baselines (add-one smoothing).
"""

import numpy as np

from dlcourse.activations import softmax
from dlcourse.checks import check_array
from dlcourse.embeddings import one_hot
from dlcourse.mlp import softmax_cross_entropy
from dlcourse.optimizers import make_optimizer
from dlcourse.rnn import clip_by_global_norm, rnn_backward, rnn_forward
from dlcourse.text import load_kjv

PARAMS = ("Wx", "Wh", "b", "Wy", "by")


def kjv_split(held_out_every=10, books=None):
    """``(train_text, test_text)``: lower-cased verses, one per line.

    Every ``held_out_every``-th verse of the corpus (the 10th, 20th, ...) is held out;
    the others are for training.
    """
    verses = [v[3].lower() for v in load_kjv(books)]
    test = [v for i, v in enumerate(verses) if i % held_out_every == held_out_every - 1]
    train = [v for i, v in enumerate(verses) if i % held_out_every != held_out_every - 1]
    return "\n".join(train) + "\n", "\n".join(test) + "\n"


def build_vocabulary(text):
    """The sorted characters of ``text`` (a list of V one-character strings)."""
    return sorted(set(text))


def encode(text, chars):
    """Ids (len(text),) of the characters of ``text``; raises on a character not in ``chars``."""
    index = {c: i for i, c in enumerate(chars)}
    missing = sorted(set(text) - set(index))
    if missing:
        raise ValueError(f"characters {missing} are not in the vocabulary")
    return np.array([index[c] for c in text], dtype=np.int64)


def decode(ids, chars):
    """The string of the ids."""
    return "".join(chars[int(i)] for i in ids)


def init_params(vocab_size, hidden, seed=0):
    """Weights as a dict: Wx (V, H), Wh (H, H), b (H,), Wy (H, V), by (V,)."""
    rng = np.random.default_rng(seed)
    return {
        "Wx": rng.normal(scale=1 / np.sqrt(vocab_size), size=(vocab_size, hidden)),
        "Wh": np.linalg.qr(rng.normal(size=(hidden, hidden)))[0] * 0.9,
        "b": np.zeros(hidden),
        "Wy": rng.normal(scale=1 / np.sqrt(hidden), size=(hidden, vocab_size)),
        "by": np.zeros(vocab_size),
    }


def sequence_softmax_loss(logits, y):
    """Per-step softmax cross-entropy averaged over all N*T steps, and its gradient.

    ``logits (N, T, V)``, ``y (N, T)`` integer targets. Returns ``(loss, dlogits)`` with
    ``dlogits (N, T, V) = (softmax(logits) - onehot(y)) / (N T)``.
    """
    logits = check_array("logits", logits, shape=(None, None, None), dtype_kind="fi").astype(np.float64)
    y = check_array("y", y, shape=logits.shape[:2], dtype_kind="iu")
    loss, dlogits = softmax_cross_entropy(logits.reshape(-1, logits.shape[-1]), y.ravel())
    return loss, dlogits.reshape(logits.shape)


def _check_params(params):
    missing = [k for k in PARAMS if k not in params]
    if missing:
        raise ValueError(f"params lacks {missing}; it needs {list(PARAMS)}")
    V, H = params["Wx"].shape
    for name, shape in [("Wh", (H, H)), ("b", (H,)), ("Wy", (H, V)), ("by", (V,))]:
        check_array(name, params[name], shape=shape, dtype_kind="f")
    return V, H


def loss_and_grads(params, x_ids, y_ids, h0=None):
    """Loss, gradients and last hidden state of one chunk of ``T`` steps.

    ``x_ids, y_ids (N, T)`` input and target ids (the targets are the inputs shifted by
    one), ``h0 (N, H)`` the state carried in from the chunk before (zeros if None).
    Returns ``(loss, grads, h_last)``: ``grads`` has the keys and shapes of ``params``.
    No gradient flows into ``h0``: across chunks this is truncated BPTT.
    """
    V, _ = _check_params(params)
    x_ids = check_array("x_ids", x_ids, shape=(None, None), dtype_kind="iu")
    X = one_hot(x_ids, V)
    H, cache = rnn_forward(X, params["Wx"], params["Wh"], params["b"], h0=h0)
    logits = H @ params["Wy"] + params["by"]
    loss, dlogits = sequence_softmax_loss(logits, y_ids)
    dH = dlogits @ params["Wy"].T
    rnn = rnn_backward(dH, cache)
    grads = {"Wx": rnn["dWx"], "Wh": rnn["dWh"], "b": rnn["db"],
             "Wy": np.einsum("nth,ntv->hv", H, dlogits), "by": dlogits.sum(axis=(0, 1))}
    return loss, grads, H[:, -1]


def batch_streams(ids, batch):
    """Cut ``ids`` into ``batch`` contiguous streams of equal length: (batch, len // batch)."""
    ids = check_array("ids", ids, shape=(None,), dtype_kind="iu")
    length = len(ids) // batch
    if length < 2:
        raise ValueError(f"{len(ids)} ids are too few for {batch} streams")
    return ids[: batch * length].reshape(batch, length)


def train(params, ids, steps, batch=32, seq_len=32, learning_rate=3e-3, max_norm=5.0,
          optimizer="Adam", seed=0):
    """Train in place by truncated BPTT on ``ids (L,)``; returns the loss of every step.

    The text is cut into ``batch`` parallel streams read ``seq_len`` characters at a
    time; the hidden state is carried from one chunk to the next (and reset when a
    stream wraps around), the gradient stops at the chunk's start. Gradients are
    clipped to global norm ``max_norm``; ``optimizer`` is a name of
    :func:`dlcourse.optimizers.make_optimizer` ("Adam", "SGD", ...).
    """
    _, hidden = _check_params(params)
    streams = batch_streams(ids, batch)
    if streams.shape[1] < 2 * seq_len + 1:
        raise ValueError(f"{len(ids)} ids make {batch} streams of {streams.shape[1]}: too short for chunks of "
                         f"{seq_len} (each stream needs at least {2 * seq_len + 1})")
    rng = np.random.default_rng(seed)
    offset = int(rng.integers(0, seq_len))  # chunks do not always start at the same characters
    optimizers = {k: make_optimizer(optimizer, learning_rate) for k in PARAMS}
    h, start, losses = None, offset, []
    for _ in range(steps):
        if start + seq_len + 1 > streams.shape[1]:
            h, start = None, offset
        x = streams[:, start: start + seq_len]
        y = streams[:, start + 1: start + seq_len + 1]
        loss, grads, h = loss_and_grads(params, x, y, h)
        clipped, _ = clip_by_global_norm([grads[k] for k in PARAMS], max_norm)
        for k, g in zip(PARAMS, clipped):
            params[k] = optimizers[k].step(params[k], g)
        losses.append(loss)
        start += seq_len
    return np.array(losses)


def read_step(params, h, i):
    """One step of the RNN reading character id ``i``: h (H,) -> next h (H,).
    x_t Wx for the one-hot x_t of ``i`` is the row Wx[i]."""
    return np.tanh(params["Wx"][i] + h @ params["Wh"] + params["b"])


def target_probabilities(params, ids):
    """p(ids[t+1] | ids[..t]) for t = 0..L-2 as the model reads ``ids (L,)`` from h = 0: (L-1,)."""
    _check_params(params)
    ids = check_array("ids", ids, shape=(None,), dtype_kind="iu")
    hidden = params["Wh"].shape[0]
    h = np.zeros(hidden)
    states = np.empty((len(ids) - 1, hidden))
    for t, i in enumerate(ids[:-1]):
        h = read_step(params, h, i)
        states[t] = h
    p = softmax(states @ params["Wy"] + params["by"])
    return p[np.arange(len(ids) - 1), ids[1:]]


def perplexity(target_probs):
    """exp of the mean negative log-probability of the targets: (M,) -> float."""
    target_probs = check_array("target_probs", target_probs, shape=(None,), dtype_kind="f")
    if np.any(target_probs <= 0) or np.any(target_probs > 1):
        raise ValueError("probabilities must lie in (0, 1]")
    return float(np.exp(-np.mean(np.log(target_probs))))


def unigram_probs(train_ids, vocab_size):
    """Add-one (Laplace) smoothed character frequencies (V,): (count + 1) / (L + V)."""
    counts = np.bincount(np.asarray(train_ids), minlength=vocab_size)
    return (counts + 1) / (counts.sum() + vocab_size)


def bigram_probs(train_ids, vocab_size):
    """Add-one smoothed P[a, b] = p(b | a) = (count(a b) + 1) / (count(a .) + V): (V, V)."""
    train_ids = np.asarray(train_ids)
    counts = np.zeros((vocab_size, vocab_size))
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1)
    return (counts + 1) / (counts.sum(axis=1, keepdims=True) + vocab_size)


def baseline_perplexities(train_ids, test_ids, vocab_size):
    """``{"unigram": ..., "bigram": ...}`` on the targets ``test_ids[1:]``, as the RNN is scored."""
    test_ids = np.asarray(test_ids)
    unigram = unigram_probs(train_ids, vocab_size)[test_ids[1:]]
    bigram = bigram_probs(train_ids, vocab_size)[test_ids[:-1], test_ids[1:]]
    return {"unigram": perplexity(unigram), "bigram": perplexity(bigram)}


def sample_index(logits, temperature, rng):
    """One id drawn from softmax(logits / temperature) for logits (V,); temperature 0 gives argmax."""
    logits = check_array("logits", logits, shape=(None,), dtype_kind="fi")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return int(np.argmax(logits))
    return int(rng.choice(len(logits), p=softmax(logits / temperature)))


def sample(params, start_ids, length, temperature=1.0, seed=0):
    """Ids (length,) generated after reading ``start_ids`` (at least one id)."""
    _check_params(params)
    start_ids = check_array("start_ids", start_ids, shape=(None,), dtype_kind="iu")
    if len(start_ids) == 0:
        raise ValueError("start_ids needs at least one id to start from")
    rng = np.random.default_rng(seed)
    h = np.zeros(params["Wh"].shape[0])
    for i in start_ids:
        h = read_step(params, h, i)
    out = []
    for _ in range(length):
        i = sample_index(h @ params["Wy"] + params["by"], temperature, rng)
        out.append(i)
        h = read_step(params, h, i)
    return np.array(out, dtype=np.int64)


def keras_windows(ids, seq_len):
    """Non-overlapping windows for Keras: inputs and targets (M, seq_len), targets shifted by one."""
    ids = check_array("ids", ids, shape=(None,), dtype_kind="iu")
    count = (len(ids) - 1) // seq_len
    x = ids[: count * seq_len].reshape(count, seq_len)
    y = ids[1: count * seq_len + 1].reshape(count, seq_len)
    return x, y


def build_keras_model(vocab_size, hidden, cell="SimpleRNN"):
    """One-hot characters -> SimpleRNN or LSTM (all steps) -> Dense softmax over V."""
    import keras

    if cell not in ("SimpleRNN", "LSTM"):
        raise ValueError(f"cell must be 'SimpleRNN' or 'LSTM', got {cell!r}")
    ids = keras.Input((None,), dtype="int32", name="char_ids")
    x = keras.layers.Lambda(lambda i: keras.ops.one_hot(i, vocab_size), name="one_hot")(ids)
    h = getattr(keras.layers, cell)(hidden, return_sequences=True, name=cell.lower())(x)
    p = keras.layers.Dense(vocab_size, activation="softmax", name="next_char")(h)
    return keras.Model(ids, p, name=f"char_{cell.lower()}")
