# fails: test_make_windows
# why: the target is the window's own last value, series[i + window - 1], not the next one
def make_windows(series, window):
    series = np.asarray(series, dtype=np.float64)
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])[..., None]
    return X, series[window - 1:-1]
