# fails: test_bigram_probs
# why: counts are indexed [next, previous], so row a holds what comes before a, not after it
def bigram_probs(ids, V):
    """Add-one smoothed P[a, b] = p(b | a) from ids (L,); returns (V, V)."""
    counts = np.zeros((V, V))
    np.add.at(counts, (ids[1:], ids[:-1]), 1)
    return (counts + 1) / (counts.sum(axis=1, keepdims=True) + V)
