# fails: test_sigmoid
# why: e^z / (1 + e^z) for every z: inf / inf = nan for large positive z
def sigmoid(z):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / (1.0 + e)


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)
