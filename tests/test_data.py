"""The data loaders work offline, return what they promise, and fail with directions."""

import gzip

import numpy as np
import pytest

from dlcourse import data


def write_idx(path, array):
    """Write a uint8 array in the IDX format of the original (Fashion-)MNIST files."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def test_shipped_subset_is_balanced_uint8_images():
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist("subset")
    assert x_train.shape == (6000, 28, 28) and x_test.shape == (2000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [600] * 10
    assert np.bincount(y_test).tolist() == [200] * 10
    assert x_train.std() > 50  # real images, not blanks


def test_auto_takes_the_subset_in_quick_mode(monkeypatch):
    monkeypatch.setenv("DLCOURSE_QUICK", "1")
    (x_train, _), _ = data.load_fashion_mnist()
    assert len(x_train) == 6000


def test_full_set_is_read_from_idx_files(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28)), "y_train": rng.integers(0, 10, 12),
        "x_test": rng.integers(0, 256, (5, 28, 28)), "y_test": rng.integers(0, 10, 5),
    }
    for key, name in data.FASHION_FILES.items():
        write_idx(tmp_path / name, arrays[key])
    monkeypatch.setattr(data, "FASHION_FULL_DIRS", (tmp_path / "missing", tmp_path))
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist("full")
    assert np.array_equal(x_train, arrays["x_train"]) and np.array_equal(y_test, arrays["y_test"])
    assert x_test.shape == (5, 28, 28) and y_train.shape == (12,)


def test_missing_full_set_says_where_it_looked_and_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_FULL_DIRS", (tmp_path / "a", tmp_path / "b"))
    with pytest.raises(data.DataNotFoundError) as error:
        data.load_fashion_mnist("full")
    message = str(error.value)
    assert str(tmp_path / "a") in message and str(tmp_path / "b") in message
    assert "apt install dataset-fashion-mnist" in message and "download=True" in message


def test_auto_falls_back_to_the_subset_when_the_full_set_is_absent(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DLCOURSE_QUICK", raising=False)
    monkeypatch.setattr(data, "FASHION_FULL_DIRS", (tmp_path,))
    (x_train, _), _ = data.load_fashion_mnist("auto")
    assert len(x_train) == 6000
    assert "subset" in capsys.readouterr().out


def test_missing_subset_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_SUBSET", tmp_path / "gone.npz")
    with pytest.raises(data.DataNotFoundError, match="git checkout -- data/"):
        data.load_fashion_mnist("subset")


def test_bad_size_is_refused():
    with pytest.raises(ValueError, match="'auto', 'subset' or 'full'"):
        data.load_fashion_mnist("medium")


def test_make_fashion_subset_picks_per_class_without_repeats():
    y = np.repeat(np.arange(10), 7)
    x = np.arange(70)
    picked_x, picked_y = data.make_fashion_subset(x, y, per_class=3, seed=1)
    assert np.bincount(picked_y).tolist() == [3] * 10
    assert len(set(picked_x.tolist())) == 30 and np.array_equal(y[picked_x], picked_y)


def test_photo_and_gray_conversion():
    photo = data.load_photo("flower")
    assert photo.shape == (427, 640, 3) and photo.dtype == np.uint8
    gray = data.load_photo("flower", gray=True)
    weights = np.array([0.299, 0.587, 0.114])
    assert np.isclose(gray[10, 20], photo[10, 20] @ weights / 255)
    with pytest.raises(ValueError, match="'china' or 'flower'"):
        data.load_photo("cat")
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        data.to_gray(np.zeros((4, 4)))


def test_digits_split_is_scaled_and_stratified():
    (x_train, y_train), (x_test, y_test) = data.load_digits_split()
    assert x_train.shape[1] == 64 and len(x_train) + len(x_test) == 1797
    assert 0 <= x_train.min() and x_train.max() == 1.0
    train_share = np.bincount(y_train) / len(y_train)
    test_share = np.bincount(y_test) / len(y_test)
    assert np.max(np.abs(train_share - test_share)) < 0.01


def test_time_series_are_real_and_gap_free():
    sunspots = data.load_time_series("sunspots")
    co2 = data.load_time_series("co2")
    assert len(sunspots) == 309 and sunspots.min() >= 0
    assert len(co2) > 2000 and not np.isnan(co2).any() and 300 < co2.mean() < 400
    with pytest.raises(ValueError, match="'sunspots' or 'co2'"):
        data.load_time_series("rain")
