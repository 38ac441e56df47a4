# fails: test_bigram_probs
# why: counts[a, b] += 1 with index arrays adds 1 once per distinct pair, not once per occurrence
def bigram_probs(ids, V):
    """Add-one smoothed P[a, b] = p(b | a) from ids (L,); returns (V, V)."""
    counts = np.zeros((V, V))
    counts[ids[:-1], ids[1:]] += 1
    return (counts + 1) / (counts.sum(axis=1, keepdims=True) + V)
