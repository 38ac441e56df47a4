# fails: test_hinge
# why: derivative +y where the margin is below 1: the minus sign lost
def hinge(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.maximum(0.0, 1.0 - y * y_hat)


def hinge_derivative(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.where(y * y_hat < 1, y, 0.0)
