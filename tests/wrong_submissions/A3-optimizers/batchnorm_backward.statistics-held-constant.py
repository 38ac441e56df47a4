# fails: test_batchnorm_backward
# why: treats the batch mean and variance as constants (the inference-mode gradient)
def batchnorm_backward(dout, x, gamma, epsilon=1e-3):
    """Training-mode batch norm over axis 0: returns (dx, dgamma, dbeta)."""
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + epsilon)
    x_hat = (x - x.mean(axis=0)) * inv_std
    return dout * gamma * inv_std, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
