# fails: test_activations
# why: e^z / (1 + e^z) for every z: nan for large positive z
def relu_forward(z):
    return np.maximum(0.0, z), z


def relu_backward(dout, cache):
    return dout * (cache > 0)


def sigmoid_forward(z):
    e = np.exp(np.asarray(z, dtype=np.float64))
    return e / (1.0 + e), z


def sigmoid_backward(dout, cache):
    s = sigmoid_forward(cache)[0]
    return dout * s * (1.0 - s)
