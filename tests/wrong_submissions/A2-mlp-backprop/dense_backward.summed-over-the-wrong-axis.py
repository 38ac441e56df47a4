# fails: test_dense_backward
# why: db summed over the units (axis 1) instead of over the batch
def dense_backward(dout, cache):
    X, W, _ = cache
    return dout @ W.T, X.T @ dout, dout.sum(axis=1)
