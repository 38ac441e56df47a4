"""Data loaders that work offline from the course's ``data/`` folder.

Every loader looks in the course first, then in the usual caches, and only then
(for users who are online) downloads. When nothing is found it raises
``DataNotFoundError`` saying where it looked and how to get the data.
"""

import gzip
import os
from pathlib import Path

import numpy as np

from dlcourse.runtime import quick_mode

DATA_DIR = Path(os.environ.get("DLCOURSE_DATA", Path(__file__).resolve().parents[2] / "data"))

FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
FASHION_SUBSET = DATA_DIR / "fashion-mnist-subset.npz"
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
FASHION_FULL_DIRS = (
    DATA_DIR / "fashion-mnist",
    Path("/usr/share/datasets/fashion-mnist"),  # Debian: apt install dataset-fashion-mnist
    Path.home() / ".keras" / "datasets" / "fashion-mnist",
)


class DataNotFoundError(FileNotFoundError):
    """A data set is not on this machine; the message says where we looked."""


def read_idx(path):
    """Read one gzipped IDX file (the original MNIST format) into a uint8 array."""
    with gzip.open(path, "rb") as handle:
        raw = handle.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find_full_fashion_mnist(dirs=None):
    """The first folder holding all four original Fashion-MNIST files, or None."""
    for folder in FASHION_FULL_DIRS if dirs is None else dirs:
        if all((Path(folder) / name).is_file() for name in FASHION_FILES.values()):
            return Path(folder)
    return None


def load_fashion_mnist(size="auto", download=False):
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8 images (N, 28, 28).

    ``size``: ``"subset"`` is the class-balanced subset shipped in ``data/``
    (6,000 train / 2,000 test images); ``"full"`` is the original 60,000 / 10,000;
    ``"auto"`` takes the subset in quick mode and the full set when it is present.
    ``download=True`` lets Keras fetch the full set when it is not on disk (online).
    """
    if size not in ("auto", "subset", "full"):
        raise ValueError(f"size must be 'auto', 'subset' or 'full', got {size!r}")
    if size == "subset" or (size == "auto" and quick_mode()):
        return _fashion_subset()
    folder = find_full_fashion_mnist()
    if folder is not None:
        arrays = {key: read_idx(folder / name) for key, name in FASHION_FILES.items()}
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
    if download:
        from dlcourse.runtime import require

        return require("keras", "Downloading Fashion-MNIST").datasets.fashion_mnist.load_data()
    if size == "auto":
        print("Full Fashion-MNIST not found; using the 6,000/2,000 subset shipped in data/.")
        return _fashion_subset()
    looked = "\n".join(f"  - {folder}" for folder in FASHION_FULL_DIRS)
    raise DataNotFoundError(
        "The full Fashion-MNIST files were not found. Looked in:\n" + looked + "\n"
        "Get them with `sudo apt install dataset-fashion-mnist` (Debian/Ubuntu), or copy "
        f"the four files {sorted(FASHION_FILES.values())} into {DATA_DIR / 'fashion-mnist'}, "
        "or call load_fashion_mnist(download=True) when online."
    )


def _fashion_subset():
    if not FASHION_SUBSET.is_file():
        raise DataNotFoundError(
            f"The Fashion-MNIST subset {FASHION_SUBSET} is missing. It ships with the "
            "course: restore it with `git checkout -- data/`, or set DLCOURSE_DATA to "
            "the folder that holds it."
        )
    with np.load(FASHION_SUBSET) as subset:
        return (subset["x_train"], subset["y_train"]), (subset["x_test"], subset["y_test"])


def make_fashion_subset(x, y, per_class, seed=0):
    """Pick ``per_class`` images of each class at random, in a shuffled order."""
    rng = np.random.default_rng(seed)
    picked = np.concatenate(
        [rng.choice(np.flatnonzero(y == label), per_class, replace=False) for label in range(10)]
    )
    rng.shuffle(picked)
    return x[picked], y[picked]


def load_photo(name="china", gray=False):
    """One of scikit-learn's bundled photos (``"china"`` or ``"flower"``), shape (427, 640, 3).

    ``gray=True`` returns the luminance image (427, 640) as floats in [0, 1].
    """
    from sklearn.datasets import load_sample_image

    if name not in ("china", "flower"):
        raise ValueError(f"photo must be 'china' or 'flower', got {name!r}")
    image = load_sample_image(f"{name}.jpg")
    if gray:
        return to_gray(image)
    return image


def to_gray(image):
    """ITU-R BT.601 luminance of an RGB uint8 image, as floats in [0, 1]."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got {image.shape}")
    return image[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0


def load_digits_split(test_size=0.25, seed=0):
    """scikit-learn's 8x8 digits as ``(x_train, y_train), (x_test, y_test)``.

    Pixels are scaled to [0, 1] and flattened to 64 features; the split is stratified.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.data / 16.0
    x_train, x_test, y_train, y_test = train_test_split(
        x, digits.target, test_size=test_size, random_state=seed, stratify=digits.target
    )
    return (x_train, y_train), (x_test, y_test)


def load_time_series(name="sunspots"):
    """A real yearly/weekly series bundled with statsmodels, as a float64 array.

    ``"sunspots"``: yearly sunspot numbers 1700-2008; ``"co2"``: weekly Mauna Loa
    CO2 (ppm) 1958-2001 with gaps filled by interpolation.
    """
    from dlcourse.runtime import require

    datasets = require("statsmodels.api", "Loading the bundled time series").datasets
    if name == "sunspots":
        return datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(np.float64)
    if name == "co2":
        return datasets.co2.load_pandas().data["co2"].interpolate().to_numpy(np.float64)
    raise ValueError(f"series must be 'sunspots' or 'co2', got {name!r}")
