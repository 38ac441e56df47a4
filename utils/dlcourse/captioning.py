"""A language model conditioned on an image: captions and visual questions about
synthetic pictures of one coloured shape.

Images are floats in [0, 1] of shape (N, S, S, 3), channels last as Keras wants them.
Each picture shows one shape (square, circle or triangle), small or large, in one of four
colours of the Okabe-Ito palette, at a random place, plus a little pixel noise.
A caption is five word ids, ``a <size> <colour> <shape> <end>``; a question is four word
ids ("what colour is it", "what shape is it", "how big is it") and its answer one id among
the 9 attribute words.
"""

import numpy as np

from dlcourse.checks import check_array

COLOURS = {"orange": (0.90, 0.62, 0.00), "blue": (0.00, 0.45, 0.70),
           "green": (0.00, 0.62, 0.45), "pink": (0.80, 0.47, 0.65)}
SHAPES = ("square", "circle", "triangle")
SIZES = ("small", "large")
RADIUS = {"small": 2.5, "large": 4.5}  # half the side of a square, in pixels
ATTRIBUTES = {"colour": tuple(COLOURS), "shape": SHAPES, "size": SIZES}

CAPTION_WORDS = ("<start>", "<end>", "a") + SIZES + tuple(COLOURS) + SHAPES
QUESTIONS = {"colour": "what colour is it", "shape": "what shape is it", "size": "how big is it"}
QUESTION_WORDS = ("what", "how", "colour", "shape", "big", "is", "it")
ANSWER_WORDS = tuple(COLOURS) + SHAPES + SIZES


def shape_mask(shape, centre, radius, size=16):
    """Boolean (size, size) mask of a square, circle or upward triangle around ``centre`` (x, y)."""
    y, x = np.mgrid[0:size, 0:size] + 0.5  # pixel centres
    dx, dy = x - centre[0], y - centre[1]
    if shape == "square":
        return (np.abs(dx) <= radius) & (np.abs(dy) <= radius)
    if shape == "circle":
        return dx ** 2 + dy ** 2 <= radius ** 2
    if shape == "triangle":  # apex at the top, base at the bottom: width grows with dy
        return (np.abs(dy) <= radius) & (np.abs(dx) <= (dy + radius) / 2)
    raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")


def make_shape_images(n, rng, size=16, noise=0.05):
    """``n`` pictures of one shape each, and what they show.

    Returns ``images`` (n, size, size, 3) and ``attributes``: a dict mapping "colour",
    "shape" and "size" to (n,) arrays of indices into ``ATTRIBUTES[name]``.
    """
    if size < 12:
        raise ValueError(f"the large shapes need pictures of at least 12x12 pixels, got {size}")
    attributes = {name: rng.integers(0, len(values), n) for name, values in ATTRIBUTES.items()}
    images = np.zeros((n, size, size, 3))
    for i in range(n):
        radius = RADIUS[SIZES[attributes["size"][i]]]
        centre = rng.uniform(radius + 0.5, size - radius - 0.5, 2)
        mask = shape_mask(SHAPES[attributes["shape"][i]], centre, radius, size)
        images[i][mask] = list(COLOURS.values())[attributes["colour"][i]]
    images += rng.normal(0.0, noise, images.shape)
    return np.clip(images, 0.0, 1.0).astype("float32"), attributes


def captions(attributes):
    """Word ids (N, 5) of ``a <size> <colour> <shape> <end>`` in ``CAPTION_WORDS``."""
    words = [("a", SIZES[z], tuple(COLOURS)[c], SHAPES[s], "<end>")
             for z, c, s in zip(attributes["size"], attributes["colour"], attributes["shape"])]
    return np.array([[CAPTION_WORDS.index(w) for w in caption] for caption in words])


def decoder_inputs(caption_ids):
    """Teacher forcing: the decoder reads ``<start>`` and the caption shifted right by one,
    so at step t it sees the true words before t and predicts word t. (N, T) -> (N, T)."""
    caption_ids = check_array("caption_ids", caption_ids, shape=(None, None), dtype_kind="iu")
    start = np.full((len(caption_ids), 1), CAPTION_WORDS.index("<start>"))
    return np.concatenate([start, caption_ids[:, :-1]], axis=1)


def words(ids, vocabulary=CAPTION_WORDS):
    """The words of one row of ids, up to and without ``<end>``, joined by spaces."""
    out = [vocabulary[i] for i in ids]
    return " ".join(out[:out.index("<end>")] if "<end>" in out else out)


def questions(attributes, rng):
    """One random question per picture. Returns its word ids (N, 4) in ``QUESTION_WORDS``,
    the answer ids (N,) in ``ANSWER_WORDS`` and what was asked (N,), an index into
    ``list(QUESTIONS)``."""
    n = len(attributes["colour"])
    asked = rng.integers(0, len(QUESTIONS), n)
    kinds = list(QUESTIONS)
    question_ids = np.array([[QUESTION_WORDS.index(w) for w in QUESTIONS[kinds[k]].split()] for k in asked])
    answers = np.array([ANSWER_WORDS.index(ATTRIBUTES[kinds[k]][attributes[kinds[k]][i]])
                        for i, k in enumerate(asked)])
    return question_ids, answers, asked


def image_encoder(image, hidden):
    """Keras layers from an image input (S, S, 3) to a feature vector v (hidden,):
    two 3x3 convolutions with max pooling, a global max pool, a tanh dense layer."""
    import keras

    x = keras.layers.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = keras.layers.GlobalMaxPooling2D()(x)
    return keras.layers.Dense(hidden, activation="tanh", name="image_vector")(x)


def build_captioner(hidden=64, size=16, caption_len=5):
    """Image -> v -> h_0 = v of a SimpleRNN that reads the caption so far (embedded words)
    and predicts the next word at every step: outputs (N, caption_len, len(CAPTION_WORDS))."""
    import keras

    image = keras.Input((size, size, 3), name="image")
    words_in = keras.Input((caption_len,), dtype="int32", name="words_so_far")
    h0 = image_encoder(image, hidden)
    embedded = keras.layers.Embedding(len(CAPTION_WORDS), 16)(words_in)
    states = keras.layers.SimpleRNN(hidden, return_sequences=True)(embedded, initial_state=h0)
    p = keras.layers.Dense(len(CAPTION_WORDS), activation="softmax")(states)
    return keras.Model([image, words_in], p, name="captioner")


def greedy_captions(model, images, caption_len=5):
    """Caption ``images`` word by word: start from ``<start>``, feed back each argmax.

    The RNN is causal (step t sees only inputs up to t), so running the whole model on the
    words chosen so far, padded, gives step t's prediction exactly. Returns ids (N, caption_len).
    """
    so_far = np.zeros((len(images), caption_len), dtype="int32")
    so_far[:, 0] = CAPTION_WORDS.index("<start>")
    chosen = np.zeros_like(so_far)
    for t in range(caption_len):
        chosen[:, t] = model.predict([images, so_far], verbose=0, batch_size=512)[:, t].argmax(-1)
        if t + 1 < caption_len:
            so_far[:, t + 1] = chosen[:, t]
    return chosen


def build_vqa_model(hidden=64, size=16, question_len=4):
    """Visual question answering: the question read by a SimpleRNN (its last state q) and
    the image vector v are combined as q * v (element-wise), then a ReLU dense layer of
    ``hidden`` units and a softmax pick the answer among ``ANSWER_WORDS``. Inputs
    [images (N, S, S, 3), question ids (N, question_len)]; output (N, len(ANSWER_WORDS))."""
    import keras

    image = keras.Input((size, size, 3), name="image")
    question = keras.Input((question_len,), dtype="int32", name="question")
    v = image_encoder(image, hidden)
    q = keras.layers.SimpleRNN(hidden, activation="tanh")(keras.layers.Embedding(len(QUESTION_WORDS), 16)(question))
    joint = keras.layers.Multiply()([q, v])
    p = keras.layers.Dense(len(ANSWER_WORDS), activation="softmax")(keras.layers.Dense(hidden, activation="relu")(joint))
    return keras.Model([image, question], p, name="vqa")
