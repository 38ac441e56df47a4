# fails: test_hinge
# why: derivative -y also at the kink y * y_hat = 1 (<= instead of <)
def hinge(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.maximum(0.0, 1.0 - y * y_hat)


def hinge_derivative(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.where(y * y_hat <= 1, -y, 0.0)
