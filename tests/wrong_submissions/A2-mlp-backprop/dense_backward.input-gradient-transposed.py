# fails: test_dense_backward
# why: dX = W @ dout.T, the transposes the wrong way round: shape (D, N)
def dense_backward(dout, cache):
    X, W, _ = cache
    return W @ dout.T, X.T @ dout, dout.sum(axis=0)
