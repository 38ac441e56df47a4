# fails: test_batchnorm_forward
# why: the running update weighs the batch statistic by momentum instead of the running one
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.99, epsilon=1e-3):
    """Batch norm over axis 0. Returns (out, new_running_mean, new_running_var)."""
    if training:
        mean, var = x.mean(axis=0), x.var(axis=0)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta, running_mean, running_var
