# fails: test_softmax
# why: no maximum subtracted: exp(1000) overflows to inf and inf / inf = nan
def softmax(z):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / e.sum(axis=1, keepdims=True)
