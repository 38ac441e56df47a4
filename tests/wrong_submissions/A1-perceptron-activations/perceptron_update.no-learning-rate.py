# fails: test_perceptron_update
# why: the update ignores the learning rate
def perceptron_update(w, x, y, lr=1.0):
    x_tilde = np.concatenate([[1.0], np.asarray(x, dtype=np.float64)])
    w = np.asarray(w, dtype=np.float64)
    if y * (w @ x_tilde) <= 0:
        return w + y * x_tilde, True
    return w.copy(), False
