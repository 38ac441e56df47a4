# fails: test_dense_forward
# why: returns only X @ W + b, not the tuple (out, cache)
def dense_forward(X, W, b):
    X, W, b = np.asarray(X, dtype=np.float64), np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if X.shape[1] != W.shape[0] or b.shape != (W.shape[1],):
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}, b {b.shape}")
    return X @ W + b
