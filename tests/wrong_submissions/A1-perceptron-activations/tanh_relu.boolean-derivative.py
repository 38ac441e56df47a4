# fails: test_tanh_relu
# why: relu_derivative returns a boolean mask, not float64
def tanh_derivative(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    return np.maximum(0.0, np.asarray(z, dtype=np.float64))


def relu_derivative(z):
    return np.asarray(z) > 0
