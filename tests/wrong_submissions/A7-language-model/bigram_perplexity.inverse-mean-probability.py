# fails: test_bigram_perplexity
# why: 1 / (mean probability) instead of the geometric mean: exp of the mean -log p
def bigram_perplexity(P, ids):
    """Perplexity of the bigram model P (V, V) on ids (L,), scoring ids[1:]; returns a float."""
    return float(1 / np.mean(P[ids[:-1], ids[1:]]))
