# fails: test_tanh_relu
# why: relu'(0) = 1 (z >= 0), where the task and Keras take 0
def tanh_derivative(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    return np.maximum(0.0, np.asarray(z, dtype=np.float64))


def relu_derivative(z):
    return (np.asarray(z) >= 0).astype(np.float64)
