# fails: test_activations
# why: sigma'(z) taken as sigma(z), the factor 1 - sigma(z) forgotten
def relu_forward(z):
    return np.maximum(0.0, z), z


def relu_backward(dout, cache):
    return dout * (cache > 0)


def sigmoid_forward(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), z


def sigmoid_backward(dout, cache):
    return dout * sigmoid_forward(cache)[0]
