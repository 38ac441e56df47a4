# fails: test_batchnorm_backward
# why: dx leaves out the factor gamma (uses dout where dL/dx-hat = gamma * dout)
def batchnorm_backward(dout, x, gamma, epsilon=1e-3):
    """Training-mode batch norm over axis 0: returns (dx, dgamma, dbeta)."""
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + epsilon)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dx = inv_std / n * (n * dout - dout.sum(axis=0) - x_hat * np.sum(dout * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
