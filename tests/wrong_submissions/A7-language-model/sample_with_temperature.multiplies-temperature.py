# fails: test_sample_with_temperature
# why: multiplies the logits by the temperature instead of dividing, so T < 1 flattens instead of sharpening
def sample_with_temperature(logits, temperature, rng):
    """One id per row of logits (N, V), drawn from softmax(logits / temperature); 0 gives the argmax."""
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits * temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(logits.shape[1], p=row) for row in p])
