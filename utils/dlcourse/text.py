"""Tokenising, vocabularies and the small text corpus that ships with the course.

The corpus is ``data/kjv-excerpts.tsv``: seven books of the King James Bible (public
domain), one verse per line. Lesson 13 trains a skip-gram on its narrative books and a
text CNN that tells a verse of Proverbs from a verse of the narrative books.
"""

import re
from collections import Counter

import numpy as np

from dlcourse.checks import check_array
from dlcourse.data import DATA_DIR, DataNotFoundError

KJV_FILE = DATA_DIR / "kjv-excerpts.tsv"
NARRATIVE_BOOKS = ("Ruth", "1Samuel", "2Samuel", "1Kings", "2Kings", "Esther")
PAD, UNK = "<pad>", "<unk>"


def load_kjv(books=None):
    """Verses of the shipped corpus as a list of ``(book, chapter, verse, text)``.

    ``books``: names to keep (e.g. ``NARRATIVE_BOOKS``); None keeps all seven.
    """
    if not KJV_FILE.is_file():
        raise DataNotFoundError(
            f"The corpus {KJV_FILE} is missing. It ships with the course: restore it "
            "with `git checkout -- data/`, or set DLCOURSE_DATA to the folder holding it."
        )
    verses = []
    with open(KJV_FILE, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            book, chapter, verse, text = line.rstrip("\n").split("\t")
            if books is None or book in books:
                verses.append((book, int(chapter), int(verse), text))
    if not verses:
        raise ValueError(f"no verse found for books {books}; the corpus holds "
                         "Ruth, 1Samuel, 2Samuel, 1Kings, 2Kings, Esther, Proverbs")
    return verses


def tokenize(text):
    """Lower-case words: runs of letters (``"Lord's"`` gives ``["lord", "s"]``)."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize needs a string, got {type(text).__name__}")
    return re.findall(r"[a-z]+", text.lower())


class Vocabulary:
    """Words <-> integer ids. Id 0 is ``<pad>``, id 1 is ``<unk>``, then by frequency."""

    def __init__(self, token_lists, min_count=1, max_size=None):
        counts = Counter(token for tokens in token_lists for token in tokens)
        kept = [w for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
                if c >= min_count]
        if max_size is not None:
            kept = kept[: max_size - 2]
        self.words = [PAD, UNK] + kept
        self.index = {word: i for i, word in enumerate(self.words)}
        self.counts = np.array([0, 0] + [counts[w] for w in kept])

    def __len__(self):
        return len(self.words)

    def encode(self, tokens):
        """Ids of ``tokens``; unknown words become id 1."""
        return np.array([self.index.get(t, 1) for t in tokens], dtype=np.int64)

    def decode(self, ids):
        """Words of ``ids`` (a list of strings)."""
        return [self.words[int(i)] for i in ids]


def pad_sequences(sequences, length):
    """Cut or right-pad with 0 each id list to ``length``: an int array (N, length)."""
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    out = np.zeros((len(sequences), length), dtype=np.int64)
    for row, seq in enumerate(sequences):
        seq = np.asarray(seq, dtype=np.int64)[:length]
        out[row, : len(seq)] = seq
    return out


def proverbs_vs_narrative(seed=0):
    """Balanced labelled verses: ``texts`` and ``labels`` (1 = Proverbs, 0 = narrative).

    All 915 verses of Proverbs and as many verses drawn at random from the six
    narrative books, shuffled.
    """
    rng = np.random.default_rng(seed)
    proverbs = [v[3] for v in load_kjv(("Proverbs",))]
    narrative = [v[3] for v in load_kjv(NARRATIVE_BOOKS)]
    picked = rng.choice(len(narrative), len(proverbs), replace=False)
    texts = proverbs + [narrative[i] for i in picked]
    labels = np.array([1] * len(proverbs) + [0] * len(proverbs))
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], labels[order]


def build_text_cnn(vocab_size, length, embed_dim=32, widths=(3, 4, 5), filters=32,
                   dropout=0.5):
    """Kim's (2014) sentence CNN: embedding, one Conv1D per n-gram width with ReLU,
    max over time, concatenation, dropout, one sigmoid unit (binary labels)."""
    import keras

    words = keras.Input((length,), dtype="int32", name="word_ids")
    embedded = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(words)
    pooled = []
    for width in widths:
        feature_map = keras.layers.Conv1D(filters, width, activation="relu",
                                          name=f"conv_{width}gram")(embedded)
        pooled.append(keras.layers.GlobalMaxPooling1D(name=f"max_{width}gram")(feature_map))
    features = keras.layers.Concatenate(name="features")(pooled)
    features = keras.layers.Dropout(dropout)(features)
    output = keras.layers.Dense(1, activation="sigmoid", name="proverbs")(features)
    return keras.Model(words, output, name="text_cnn")


# Class activation maps over words (lesson 13). The sentiment words are taken from the two
# movie reviews on deck 002's "sentiment classification and word localisation" slide.
POSITIVE_WORDS = ("enjoyed", "charming", "hilarious", "enjoyable", "recommended", "great")
NEGATIVE_WORDS = ("hate", "horrid", "wooden", "unsympathetic", "predictable", "worst")
NEUTRAL_WORDS = ("the", "a", "movie", "film", "story", "it", "was", "is", "this", "and", "of",
                 "to", "in", "actor", "plot", "scene", "i", "with", "as", "character", "video",
                 "store", "clerk", "lead", "his", "performance", "jokes", "evening")


def sentiment_sentences(n, length=12, seed=0):
    """A tiny synthetic sentiment data set: ``length`` neutral words per sentence, one or two
    of them replaced by sentiment words of the sentence's class at random positions.

    Returns ``tokens`` (n lists of ``length`` words) and ``labels`` (n,): 1 positive, 0 negative.
    """
    if length < 2:
        raise ValueError(f"length must be at least 2 (room for two sentiment words), got {length}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    tokens = []
    for label in labels:
        words = list(rng.choice(NEUTRAL_WORDS, length))
        cues = POSITIVE_WORDS if label == 1 else NEGATIVE_WORDS
        for position in rng.choice(length, rng.integers(1, 3), replace=False):
            words[position] = rng.choice(cues)
        tokens.append([str(w) for w in words])
    return tokens, labels


def build_cam_text_cnn(vocab_size, length, embed_dim=16, filters=16, width=3):
    """A text classifier made for class activation maps: embedding, one ``Conv1D`` with
    ReLU and ``padding="same"`` (one feature vector f(t) per word, ``(N, T, filters)``),
    global **average** pooling over the words, and a softmax over two classes:
    word ids ``(N, length)`` -> ``(N, 2)``."""
    import keras

    words = keras.Input((length,), dtype="int32", name="word_ids")
    embedded = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(words)
    maps = keras.layers.Conv1D(filters, width, padding="same", activation="relu", name="conv")(embedded)
    pooled = keras.layers.GlobalAveragePooling1D(name="average")(maps)
    output = keras.layers.Dense(2, activation="softmax", name="classes")(pooled)
    return keras.Model(words, output, name="cam_text_cnn")


def class_activation_map(feature_maps, class_weights):
    """M_k(t) = sum_j W[j, k] f_j(t) for every word t and class k.

    ``feature_maps (N, T, C_out)`` are the last convolution's outputs, ``class_weights
    (C_out, K)`` the dense layer's kernel after the global pooling. Returns ``(N, T, K)``.
    """
    feature_maps = check_array("feature_maps (N, T, C_out)", feature_maps, shape=(None, None, None))
    class_weights = check_array("class_weights (C_out, K)", class_weights, shape=(feature_maps.shape[2], None))
    return feature_maps.astype(np.float64) @ class_weights.astype(np.float64)
