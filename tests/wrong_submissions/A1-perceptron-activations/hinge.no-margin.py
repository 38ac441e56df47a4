# fails: test_hinge
# why: the perceptron's loss max(0, -y y_hat), without the margin of 1
def hinge(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.maximum(0.0, -y * y_hat)


def hinge_derivative(y_hat, y):
    y_hat, y = np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.where(y * y_hat < 0, -y, 0.0)
