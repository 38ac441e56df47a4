# fails: test_tanh_relu
# why: 1 - tanh(z) instead of 1 - tanh(z)^2
def tanh_derivative(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64))


def relu(z):
    return np.maximum(0.0, np.asarray(z, dtype=np.float64))


def relu_derivative(z):
    return (np.asarray(z) > 0).astype(np.float64)
