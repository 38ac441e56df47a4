# fails: test_make_windows
# why: off by one: stops a window early, so the last (input, target) pair is missing
def make_windows(series, window):
    series = np.asarray(series, dtype=np.float64)
    n = len(series) - window - 1
    X = np.stack([series[i:i + window] for i in range(n)])[..., None]
    return X, series[window:window + n]
