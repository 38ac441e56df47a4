# fails: test_perceptron_update
# why: the bias takes part in the margin but is left out of the update
def perceptron_update(w, x, y, lr=1.0):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if y * (w[0] + w[1:] @ x) <= 0:
        return np.concatenate([w[:1], w[1:] + lr * y * x]), True
    return w.copy(), False
