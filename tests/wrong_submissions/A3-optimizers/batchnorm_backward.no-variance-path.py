# fails: test_batchnorm_backward
# why: follows the path through the batch mean but forgets the one through the batch variance
def batchnorm_backward(dout, x, gamma, epsilon=1e-3):
    """Training-mode batch norm over axis 0: returns (dx, dgamma, dbeta)."""
    inv_std = 1.0 / np.sqrt(x.var(axis=0) + epsilon)
    x_hat = (x - x.mean(axis=0)) * inv_std
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)
