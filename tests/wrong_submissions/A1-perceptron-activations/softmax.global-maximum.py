# fails: test_softmax
# why: subtracts the maximum of the whole array: rows far below it underflow to 0/0 = nan
def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)
