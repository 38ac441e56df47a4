# fails: test_perceptron_update
# why: margin < 0 instead of <= 0, so a point on the boundary is not corrected
def perceptron_update(w, x, y, lr=1.0):
    x_tilde = np.concatenate([[1.0], np.asarray(x, dtype=np.float64)])
    w = np.asarray(w, dtype=np.float64)
    if y * (w @ x_tilde) < 0:
        return w + lr * y * x_tilde, True
    return w.copy(), False
