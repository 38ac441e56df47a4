# fails: test_batchnorm_backward
# why: averages dgamma and dbeta over the batch instead of summing them
def batchnorm_backward(dout, x, gamma, epsilon=1e-3):
    """Training-mode batch norm over axis 0: returns (dx, dgamma, dbeta)."""
    n = x.shape[0]
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + epsilon)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dx_hat = dout * gamma
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.mean(dout * x_hat, axis=0), dout.mean(axis=0)
