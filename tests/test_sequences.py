"""Windowing, time-ordered splits and naive forecasts, checked against direct indexing."""

import numpy as np
import pytest

from dlcourse.data import load_time_series
from dlcourse.sequences import make_windows, mae, naive_forecast, time_split


def test_windows_are_the_slices_of_the_series():
    series = np.random.default_rng(0).normal(size=40)
    X, y = make_windows(series, window=6, horizon=3)
    assert X.shape == (40 - 6 - 3 + 1, 6, 1) and y.shape == (len(X),)
    for k in range(len(X)):
        np.testing.assert_array_equal(X[k, :, 0], series[k:k + 6])
        assert y[k] == series[k + 6 + 3 - 1]


def test_split_keeps_time_order_and_every_sample_once():
    series = np.arange(100.0)
    X, y = make_windows(series, window=5)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = time_split(X, y, 0.2, 0.1)
    np.testing.assert_array_equal(np.concatenate([ytr, yva, yte]), y)
    assert ytr.max() < yva.min() and yva.max() < yte.min()
    assert len(yte) == round(0.1 * len(y)) and len(yva) == round(0.2 * len(y))
    assert Xte[0, -1, 0] == yte[0] - 1


def test_naive_forecasts_read_the_past_value():
    series = load_time_series("sunspots")
    X, y = make_windows(series, window=12)
    np.testing.assert_array_equal(naive_forecast(X), series[11:-1])
    np.testing.assert_array_equal(naive_forecast(X, season=11), series[1:len(series) - 11])
    X2, y2 = make_windows(series, window=12, horizon=2)
    np.testing.assert_array_equal(naive_forecast(X2, horizon=2), series[11:-2])
    assert mae(y, naive_forecast(X)) == pytest.approx(np.mean(np.abs(np.diff(series[11:]))))


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="too short"):
        make_windows(np.arange(5.0), window=5)
    with pytest.raises(ValueError, match="shape"):
        make_windows(np.zeros((10, 2)), window=3)
    X, y = make_windows(np.arange(20.0), window=4)
    with pytest.raises(ValueError, match="steps back"):
        naive_forecast(X, season=6)
    with pytest.raises(ValueError, match="fractions"):
        time_split(X, y, 0.6, 0.5)
    with pytest.raises(ValueError, match="shape"):
        mae(y, y[:-1])
