# fails: test_dropout_forward
# why: keeps a unit with probability rate instead of 1 - rate
def dropout_forward(x, rate, rng, training=True):
    """Inverted dropout. Returns the output array (same shape as x)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x
    keep = rng.random(x.shape) < rate
    return x * keep / (1.0 - rate)
