# fails: test_make_windows
# why: X has shape (N, window): the trailing feature axis the LSTM needs is missing
def make_windows(series, window):
    series = np.asarray(series, dtype=np.float64)
    n = len(series) - window
    X = np.stack([series[i:i + window] for i in range(n)])
    return X, series[window:]
