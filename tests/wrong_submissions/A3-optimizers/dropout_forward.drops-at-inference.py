# fails: test_dropout_forward
# why: ignores `training`, so inference drops units too
def dropout_forward(x, rate, rng, training=True):
    """Inverted dropout. Returns the output array (same shape as x)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    x = np.asarray(x, dtype=np.float64)
    keep = rng.random(x.shape) >= rate
    return x * keep / (1.0 - rate)
