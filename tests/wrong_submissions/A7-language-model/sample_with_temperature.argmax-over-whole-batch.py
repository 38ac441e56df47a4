# fails: test_sample_with_temperature
# why: greedy decoding takes the argmax of the flattened batch and the first row's probabilities for every row
def sample_with_temperature(logits, temperature, rng):
    """One id per row of logits (N, V), drawn from softmax(logits / temperature); 0 gives the argmax."""
    if temperature == 0:
        return np.full(len(logits), np.argmax(logits) % logits.shape[1])
    z = logits / temperature
    p = np.exp(z[0] - z[0].max())
    p /= p.sum()
    return rng.choice(logits.shape[1], size=len(logits), p=p)
