# fails: test_softmax
# why: normalised over axis 0, so each column sums to one instead of each row
def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
