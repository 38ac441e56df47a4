# fails: test_bigram_probs
# why: adds 1 to the denominator instead of V, so the smoothed rows do not sum to 1
def bigram_probs(ids, V):
    """Add-one smoothed P[a, b] = p(b | a) from ids (L,); returns (V, V)."""
    counts = np.zeros((V, V))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    return (counts + 1) / (counts.sum(axis=1, keepdims=True) + 1)
