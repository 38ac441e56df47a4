"""Turning a series into supervised samples, splitting it in time order, naive forecasts.

A forecaster sees a window of the past, ``series[k : k + window]``, and predicts the
value ``horizon`` steps after the window ends. Samples are split in time order (train,
then validation, then test): shuffling before the split would let the model peek at
the future.
"""

import numpy as np

from dlcourse.checks import check_array


def make_windows(series, window, horizon=1):
    """Inputs ``X (N, window, 1)`` and targets ``y (N,)`` cut from a 1-D series.

    ``X[k] = series[k : k + window]`` and ``y[k] = series[k + window + horizon - 1]``.
    """
    series = check_array("series", series, shape=(None,), dtype_kind="fi").astype(np.float64)
    if window < 1 or horizon < 1:
        raise ValueError(f"window and horizon must be at least 1, got {window} and {horizon}")
    count = len(series) - window - horizon + 1
    if count < 1:
        raise ValueError(
            f"a series of length {len(series)} is too short for window={window} "
            f"and horizon={horizon}: it needs at least {window + horizon} values"
        )
    starts = np.arange(count)
    X = series[starts[:, None] + np.arange(window)]
    y = series[starts + window + horizon - 1]
    return X[:, :, None], y


def time_split(X, y, val_fraction=0.15, test_fraction=0.15):
    """Split samples in time order into ``(train, val, test)`` pairs ``(X, y)``."""
    if not (0 < val_fraction < 1 and 0 < test_fraction < 1 and val_fraction + test_fraction < 1):
        raise ValueError(
            f"fractions must be in (0, 1) and sum below 1, got {val_fraction} and {test_fraction}"
        )
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    n_test = int(round(len(X) * test_fraction))
    n_val = int(round(len(X) * val_fraction))
    n_train = len(X) - n_val - n_test
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"{len(X)} samples are too few to split {n_train}/{n_val}/{n_test}")
    cuts = [0, n_train, n_train + n_val, len(X)]
    return tuple((X[a:b], y[a:b]) for a, b in zip(cuts[:-1], cuts[1:]))


def naive_forecast(X, season=None, horizon=1):
    """The value ``season`` steps before the target, read from the window.

    The default ``season=horizon`` is persistence: the last value of the window;
    ``season=11`` on yearly sunspots repeats the value of one solar cycle earlier.
    """
    X = check_array("X", X, shape=(None, None, 1), dtype_kind="fi")
    season = horizon if season is None else season
    back = season - horizon + 1
    if not 1 <= back <= X.shape[1]:
        raise ValueError(
            f"season={season} with horizon={horizon} needs the value {back} steps back "
            f"from the end of the window, but windows hold {X.shape[1]} values"
        )
    return X[:, -back, 0].astype(np.float64)


def mae(y_true, y_pred):
    """Mean absolute error of two equally long sets of numbers (flattened)."""
    y_true = check_array("y_true", np.ravel(y_true), dtype_kind="fi")
    y_pred = check_array("y_pred", np.ravel(y_pred), shape=y_true.shape, dtype_kind="fi")
    return float(np.mean(np.abs(y_true - y_pred)))
