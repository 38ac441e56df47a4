# fails: test_sigmoid
# why: z clipped to [-10, 10] to avoid overflow, which makes sigmoid(1000) = 0.99995
def sigmoid(z):
    z = np.clip(np.asarray(z, dtype=np.float64), -10.0, 10.0)
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)
