"""Batch normalisation from scratch, with the conventions of keras.layers.BatchNormalization.

Features are on the last axis; statistics are taken over all the other axes (the
batch, and height/width for images ``(N, H, W, C)``). Training normalises with the
batch mean and the biased batch variance and updates the running statistics as
``running = momentum * running + (1 - momentum) * batch_statistic``; inference
normalises with the running statistics. Keras defaults: momentum 0.99, epsilon 1e-3.
"""

import numpy as np

from dlcourse.checks import check_array


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,
                      momentum=0.99, epsilon=1e-3):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Returns ``(out, cache, (new_running_mean, new_running_var))``; in inference the
    running statistics come back unchanged.
    """
    x = check_array("x", x, dtype_kind="f")
    features = x.shape[-1]
    for name, value in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean),
                        ("running_var", running_var)):
        check_array(name, value, shape=(features,), dtype_kind="f")
    axes = tuple(range(x.ndim - 1))
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mean, var = running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + epsilon)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "training": training,
             "x_minus_mean": x - mean}
    return out, cache, (running_mean, running_var)


def batchnorm_backward(dout, cache):
    """Gradients ``(dx, dgamma, dbeta)`` from the simplified formula.

    ``dout`` has the shape of ``x``; ``dgamma`` and ``dbeta`` have shape ``(C,)``.

    Training: dx = inv_std / m * (m * dx_hat - sum(dx_hat) - x_hat * sum(dx_hat * x_hat)),
    with dx_hat = dout * gamma and m the number of values averaged per feature.
    Inference (fixed statistics): dx = dout * gamma * inv_std.
    """
    x_hat, inv_std = cache["x_hat"], cache["inv_std"]
    dout = check_array("dout", dout, shape=x_hat.shape, dtype_kind="f")
    axes = tuple(range(dout.ndim - 1))
    dgamma = np.sum(dout * x_hat, axis=axes)
    dbeta = np.sum(dout, axis=axes)
    dx_hat = dout * cache["gamma"]
    if not cache["training"]:
        return dx_hat * inv_std, dgamma, dbeta
    m = dout.size // dout.shape[-1]
    dx = inv_std / m * (m * dx_hat - dx_hat.sum(axis=axes)
                        - x_hat * np.sum(dx_hat * x_hat, axis=axes))
    return dx, dgamma, dbeta


def batchnorm_backward_staged(dout, cache):
    """The same gradients in training mode, one node of the graph at a time.

    Graph: d = x - mean; v = mean(d^2); s = 1/sqrt(v + eps); x_hat = d * s;
    z = gamma * x_hat + beta (the output, a pre-activation).
    """
    axes = tuple(range(dout.ndim - 1))
    m = dout.size // dout.shape[-1]
    d, s, x_hat = cache["x_minus_mean"], cache["inv_std"], cache["x_hat"]
    dbeta = dout.sum(axis=axes)
    dgamma = np.sum(dout * x_hat, axis=axes)
    dx_hat = dout * cache["gamma"]
    ds = np.sum(dx_hat * d, axis=axes)            # x_hat = d * s
    dv = ds * (-0.5) * s**3                       # s = (v + eps)^(-1/2)
    dd = dx_hat * s + dv * 2.0 * d / m            # d reaches z through x_hat and v
    dx = dd - dd.sum(axis=axes) / m               # d = x - mean(x)
    return dx, dgamma, dbeta
