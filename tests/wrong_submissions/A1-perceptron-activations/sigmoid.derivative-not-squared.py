# fails: test_sigmoid
# why: the derivative e^-z / (1 + e^-z), the denominator not squared
def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    return 1.0 - sigmoid(z)
