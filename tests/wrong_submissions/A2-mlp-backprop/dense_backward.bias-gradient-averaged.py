# fails: test_dense_backward
# why: averaging the bias gradient over the batch instead of summing it
def dense_backward(dout, cache):
    X, W, _ = cache
    return dout @ W.T, X.T @ dout, dout.mean(axis=0)
