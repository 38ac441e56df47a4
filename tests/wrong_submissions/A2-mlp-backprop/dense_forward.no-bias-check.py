# fails: test_dense_forward
# why: no check of b's shape: a (1, H) bias broadcasts silently
def dense_forward(X, W, b):
    X, W, b = np.asarray(X, dtype=np.float64), np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"shapes do not fit: X {X.shape}, W {W.shape}")
    return X @ W + b, (X, W, b)
