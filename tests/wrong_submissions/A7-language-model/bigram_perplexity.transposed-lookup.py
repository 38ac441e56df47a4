# fails: test_bigram_perplexity
# why: looks up P[next, previous] instead of P[previous, next]
def bigram_perplexity(P, ids):
    """Perplexity of the bigram model P (V, V) on ids (L,), scoring ids[1:]; returns a float."""
    return float(np.exp(-np.mean(np.log(P[ids[1:], ids[:-1]]))))
