# fails: test_sample_with_temperature
# why: normalises over the batch axis (axis=0) and keeps the row's maximum out of it, so rows mix their probabilities
def sample_with_temperature(logits, temperature, rng):
    """One id per row of logits (N, V), drawn from softmax(logits / temperature); 0 gives the argmax."""
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits / temperature
    e = np.exp(z - z.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    p = p / p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(logits.shape[1], p=row) for row in p])
