# fails: test_perceptron_update
# why: updates w in place, so the caller's weights change too
def perceptron_update(w, x, y, lr=1.0):
    x_tilde = np.concatenate([[1.0], np.asarray(x, dtype=np.float64)])
    if y * (w @ x_tilde) <= 0:
        w += lr * y * x_tilde
        return w, True
    return w, False
