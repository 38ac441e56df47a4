# fails: test_dropout_forward
# why: the decks' training pass (no 1/(1-rate) scaling), not inverted dropout
def dropout_forward(x, rate, rng, training=True):
    """Inverted dropout. Returns the output array (same shape as x)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    x = np.asarray(x, dtype=np.float64)
    if not training:
        return x
    keep = rng.random(x.shape) >= rate
    return x * keep
