"""Data augmentation: image transforms and the four EDA operations on text.

Images are ``(H, W)`` or ``(H, W, C)`` arrays; every transform returns float64 and
keeps the shape (crops return the crop). Text follows EDA (Wei & Zou, 2019):
synonym replacement, random insertion, random swap, random deletion. EDA takes
synonyms from WordNet; this course works offline, so ``SYNONYMS`` is a small
hand-written table that covers the lesson's sentences.
"""

import re

import numpy as np
from scipy import ndimage

from dlcourse import figures
from dlcourse.checks import check_array


def _image(image):
    image = check_array("image", image, dtype_kind="fiub")
    if image.ndim not in (2, 3):
        raise ValueError(f"image should have shape (H, W) or (H, W, C), got {image.shape}")
    return image.astype(np.float64)


def flip(image, direction="horizontal"):
    """Mirror left-right (``"horizontal"``) or upside down (``"vertical"``)."""
    image = _image(image)
    if direction == "horizontal":
        return image[:, ::-1].copy()
    if direction == "vertical":
        return image[::-1].copy()
    raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")


def rotate(image, degrees, fill=0.0):
    """Rotate counter-clockwise by ``degrees`` about the centre, same size, ``fill`` outside."""
    return ndimage.rotate(_image(image), degrees, axes=(1, 0), reshape=False, order=1,
                          mode="constant", cval=fill)


def shift(image, dy, dx, fill=0.0):
    """Move the content ``dy`` pixels down and ``dx`` right; uncovered pixels get ``fill``."""
    image = _image(image)
    height, width = image.shape[:2]
    dy, dx = int(dy), int(dx)
    out = np.full_like(image, fill)
    if abs(dy) >= height or abs(dx) >= width:
        return out
    out[max(dy, 0): height + min(dy, 0), max(dx, 0): width + min(dx, 0)] = \
        image[max(-dy, 0): height + min(-dy, 0), max(-dx, 0): width + min(-dx, 0)]
    return out


def crop(image, top, left, height, width):
    """The ``height`` x ``width`` window whose top-left pixel is (top, left)."""
    image = _image(image)
    rows, cols = image.shape[:2]
    if not (0 <= top and 0 <= left and top + height <= rows and left + width <= cols
            and height > 0 and width > 0):
        raise ValueError(f"a {height}x{width} crop at ({top}, {left}) does not fit in a "
                         f"{rows}x{cols} image")
    return image[top: top + height, left: left + width].copy()


def random_crop(image, height, width, rng):
    """A ``height`` x ``width`` crop at a random position (as AlexNet's 224 of 256)."""
    rows, cols = np.shape(image)[:2]
    if height > rows or width > cols:
        raise ValueError(f"a {height}x{width} crop does not fit in a {rows}x{cols} image")
    top = int(rng.integers(0, rows - height + 1))
    left = int(rng.integers(0, cols - width + 1))
    return crop(image, top, left, height, width)


def add_noise(image, std, rng, clip=None):
    """Add Gaussian noise of standard deviation ``std``; ``clip=(lo, hi)`` keeps the range."""
    image = _image(image)
    if std < 0:
        raise ValueError(f"noise std must be >= 0, got {std}")
    noisy = image + rng.normal(0.0, std, size=image.shape)
    return np.clip(noisy, *clip) if clip is not None else noisy


def augment(image, flip_direction=None, degrees=0.0, dy=0, dx=0, noise=0.0, rng=None,
            clip=None):
    """Flip, rotate, shift, then add noise (each step skipped at its neutral value)."""
    out = _image(image)
    if flip_direction not in (None, "none"):
        out = flip(out, flip_direction)
    if degrees:
        out = rotate(out, degrees)
    if dy or dx:
        out = shift(out, dy, dx)
    if noise:
        out = add_noise(out, noise, rng if rng is not None else np.random.default_rng(0), clip)
    return out


def augmentation_widget(images, labels=None, class_names=None):
    """Sliders over a stack of images ``(N, H, W)``: the original and its augmented copy.

    ``widget.result`` holds ``original`` and ``augmented`` (float arrays).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    images = np.asarray(images)
    height, width = images.shape[1:3]
    top = float(images.max())

    fig = Figure(figsize=(7, 3.6))
    axes_images = []  # the AxesImage of the original, then of the augmented copy
    for ax, title in zip(fig.subplots(1, 2), ("original", "augmented")):
        axes_images.append(ax.imshow(_image(images[0]), cmap="gray", vmin=0, vmax=top))
        ax.set_title(title)
        ax.axis("off")
    label_title = fig.suptitle("") if labels is not None else None
    picture = figures.Picture(fig)

    def show(index, flip_direction, degrees, dy, dx, noise):
        original = _image(images[index])
        augmented = augment(original, flip_direction, degrees, dy, dx, noise,
                            np.random.default_rng(index), clip=(0.0, top))
        for axes_image, array in zip(axes_images, (original, augmented)):
            axes_image.set_data(array)
        if labels is not None:
            name = class_names[labels[index]] if class_names else labels[index]
            label_title.set_text(f"image {index}: {name} (the label does not change)")
        picture.draw(alt=f"{figures.describe(fig)} (flip {flip_direction}, rotated {degrees} degrees, "
                         f"shifted {dy} down and {dx} right, noise std {noise:g})")
        return {"original": original, "augmented": augmented}

    return figures.interactive(
        show,
        picture,
        index=widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="image"),
        flip_direction=widgets.Dropdown(options=["none", "horizontal", "vertical"],
                                        value="none", description="flip"),
        degrees=widgets.IntSlider(value=0, min=-180, max=180, step=5, description="rotate"),
        dy=widgets.IntSlider(value=0, min=-height // 2, max=height // 2, description="shift down"),
        dx=widgets.IntSlider(value=0, min=-width // 2, max=width // 2, description="shift right"),
        noise=widgets.FloatSlider(value=0.0, min=0.0, max=0.5 * top, step=top / 100,
                                  description="noise std"),
    )


# ---------------------------------------------------------------- text (EDA)

STOP_WORDS = frozenset(
    "a an the and or but of on in at to for from by with out up off over as is are was "
    "were be been it its this that these those i you he she we they my your his her our "
    "their me him us them not no so than too very can will just".split()
)

# A small stand-in for WordNet: enough for the lesson's sentences.
SYNONYMS = {
    "sad": ["lamentable", "sorry", "pitiful", "unhappy"],
    "superior": ["better", "excellent", "first-rate"],
    "human": ["humane", "mortal", "humanlike"],
    "comedy": ["funniness", "drollery", "humour"],
    "played": ["acted", "performed", "enacted"],
    "back": ["backward", "rear", "hind"],
    "roads": ["routes", "paths", "lanes"],
    "life": ["living", "existence", "lifetime"],
    "film": ["movie", "picture", "motion-picture"],
    "movie": ["film", "picture", "flick"],
    "funny": ["amusing", "comic", "humorous"],
    "slow": ["sluggish", "dull", "tedious"],
    "boring": ["dull", "tedious", "tiresome"],
    "story": ["tale", "narrative", "plot"],
    "beautiful": ["lovely", "gorgeous", "stunning"],
    "great": ["excellent", "terrific", "splendid"],
    "bad": ["poor", "awful", "dreadful"],
    "acting": ["performance", "playing", "portrayal"],
    "ending": ["finale", "conclusion", "close"],
    "quick": ["fast", "swift", "rapid"],
    "brown": ["chocolate", "tan", "umber"],
    "fox": ["vixen", "reynard"],
    "jumps": ["leaps", "springs", "bounds"],
    "lazy": ["idle", "slothful", "indolent"],
    "dog": ["hound", "canine", "domestic-dog"],
    "training": ["learning", "teaching", "schooling"],
    "network": ["net", "web", "system"],
    "deep": ["profound", "thick", "bottomless"],
    "data": ["information", "facts", "figures"],
    "small": ["little", "tiny", "modest"],
    "needs": ["requires", "wants", "demands"],
    "more": ["additional", "extra", "further"],
}


def tokenize(sentence):
    """Lower-case words (letters, digits, hyphens, apostrophes); punctuation dropped."""
    if not isinstance(sentence, str):
        raise TypeError(f"sentence should be a string, got {type(sentence).__name__}")
    return re.findall(r"[a-z0-9'-]+", sentence.lower())


def synonyms_of(word, table=None):
    """The synonyms of ``word`` in ``table`` (default ``SYNONYMS``), or []."""
    return list((SYNONYMS if table is None else table).get(word, []))


def _words(sentence_or_words):
    if isinstance(sentence_or_words, str):
        return tokenize(sentence_or_words)
    return list(sentence_or_words)


def synonym_replacement(words, n, rng, table=None):
    """Replace up to ``n`` distinct non-stop words that have synonyms by a random synonym."""
    words = _words(words)
    candidates = [i for i, w in enumerate(words) if w not in STOP_WORDS and synonyms_of(w, table)]
    for i in rng.permutation(candidates)[:n]:
        options = synonyms_of(words[i], table)
        words[i] = options[rng.integers(len(options))]
    return words


def random_insertion(words, n, rng, table=None):
    """``n`` times: insert a synonym of a random non-stop word at a random position."""
    words = _words(words)
    for _ in range(n):
        candidates = [w for w in words if w not in STOP_WORDS and synonyms_of(w, table)]
        if not candidates:
            break
        options = synonyms_of(candidates[rng.integers(len(candidates))], table)
        words.insert(int(rng.integers(len(words) + 1)), options[rng.integers(len(options))])
    return words


def random_swap(words, n, rng):
    """``n`` times: swap the words at two random positions."""
    words = _words(words)
    if len(words) < 2:
        return words
    for _ in range(n):
        i, j = rng.choice(len(words), size=2, replace=False)
        words[i], words[j] = words[j], words[i]
    return words


def random_deletion(words, p, rng):
    """Delete each word with probability ``p``; one random word survives if all would go."""
    words = _words(words)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"deletion probability must be in [0, 1], got {p}")
    if not words:
        return words
    kept = [w for w in words if rng.random() >= p]
    return kept if kept else [words[rng.integers(len(words))]]


def eda(sentence, rng, alpha=0.1, per_operation=1, table=None):
    """EDA's recipe: ``per_operation`` new sentences from each of SR, RI, RS and RD.

    Each operation changes n = max(1, round(alpha * length)) words (RD deletes each
    word with probability alpha). Returns a dict ``{"SR": [...], "RI": ..., ...}``.
    """
    words = tokenize(sentence)
    n = max(1, round(alpha * len(words)))
    operations = {
        "SR": lambda: synonym_replacement(words, n, rng, table),
        "RI": lambda: random_insertion(words, n, rng, table),
        "RS": lambda: random_swap(words, n, rng),
        "RD": lambda: random_deletion(words, alpha, rng),
    }
    return {name: [" ".join(op()) for _ in range(per_operation)]
            for name, op in operations.items()}
