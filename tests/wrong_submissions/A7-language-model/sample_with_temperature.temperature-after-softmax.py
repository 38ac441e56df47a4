# fails: test_sample_with_temperature
# why: draws from softmax(logits) divided by T and renormalised, which is the same softmax: the temperature does nothing
def sample_with_temperature(logits, temperature, rng):
    """One id per row of logits (N, V), drawn from softmax(logits / temperature); 0 gives the argmax."""
    if temperature == 0:
        return np.argmax(logits, axis=1)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p = p / temperature
    p /= p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(logits.shape[1], p=row) for row in p])
