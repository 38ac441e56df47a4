# fails: test_cross_entropy
# why: the derivative of the log-likelihood, not of the loss: every sign flipped
def cross_entropy(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def cross_entropy_derivative(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return y / y_hat - (1 - y) / (1 - y_hat)
