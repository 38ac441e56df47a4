# fails: test_dense_backward
# why: dW divided by N once more, though dout already carries the mean's 1/N
def dense_backward(dout, cache):
    X, W, _ = cache
    return dout @ W.T, X.T @ dout / len(X), dout.sum(axis=0)
