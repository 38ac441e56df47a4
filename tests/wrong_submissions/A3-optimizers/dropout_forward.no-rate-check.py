# fails: test_dropout_forward
# why: no ValueError for a rate outside [0, 1)
def dropout_forward(x, rate, rng, training=True):
    """Inverted dropout. Returns the output array (same shape as x)."""
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x
    keep = rng.random(x.shape) >= rate
    return x * keep / (1.0 - rate)
