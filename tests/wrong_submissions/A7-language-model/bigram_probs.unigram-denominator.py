# fails: test_bigram_probs
# why: divides by the count of a anywhere in the text (the last character too) instead of the pairs starting with a
def bigram_probs(ids, V):
    """Add-one smoothed P[a, b] = p(b | a) from ids (L,); returns (V, V)."""
    counts = np.zeros((V, V))
    np.add.at(counts, (ids[:-1], ids[1:]), 1)
    return (counts + 1) / (np.bincount(ids, minlength=V)[:, None] + V)
