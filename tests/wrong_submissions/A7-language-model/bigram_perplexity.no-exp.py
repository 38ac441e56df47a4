# fails: test_bigram_perplexity
# why: returns the mean cross-entropy -mean log p itself, not its exponential
def bigram_perplexity(P, ids):
    """Perplexity of the bigram model P (V, V) on ids (L,), scoring ids[1:]; returns a float."""
    return float(-np.mean(np.log(P[ids[:-1], ids[1:]])))
