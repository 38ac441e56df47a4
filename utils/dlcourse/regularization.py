"""Regularisation: L1/L2 penalties (and L1's proximal step), the max-norm constraint,
dropout (two ways) and early stopping.

Penalties use Keras's convention, which is the course's: ``keras.regularizers.L2(l2)``
adds ``l2 * sum(w**2)`` (``l2`` is the L2 strength lambda) and ``L1(l1)`` adds
``l1 * sum(|w|)`` (``l1`` is lambda_1) to the loss. The decks write
``lambda' / (2m) * sum(w**2)`` (their lambda): the same thing with ``l2 = lambda' / (2m)``.
Dropout's ``rate`` is the rate p; a unit is kept with probability q = 1 - p.
"""

import numpy as np

from dlcourse.checks import check_array


def _as_list(weights):
    return [weights] if isinstance(weights, np.ndarray) else list(weights)


def l2_penalty(weights, l2):
    """``l2 * sum(w**2)`` over one array or a list of arrays."""
    return float(l2 * sum(np.sum(np.square(w)) for w in _as_list(weights)))


def l2_gradient(weights, l2):
    """d(l2 penalty)/dw = 2 * l2 * w, one array per weight array."""
    return [2.0 * l2 * np.asarray(w) for w in _as_list(weights)]


def l1_penalty(weights, l1):
    """``l1 * sum(|w|)`` over one array or a list of arrays."""
    return float(l1 * sum(np.sum(np.abs(w)) for w in _as_list(weights)))


def l1_gradient(weights, l1):
    """d(l1 penalty)/dw = l1 * sgn(w), with sgn(0) = 0 as ``np.sign`` (the subgradient 0 at w = 0)."""
    return [l1 * np.sign(w) for w in _as_list(weights)]


def l1_proximal(w, threshold):
    """The L1 penalty's proximal step ("soft thresholding"): each entry moves ``threshold``
    towards 0 and stops at exactly 0, ``sgn(w) * max(|w| - threshold, 0)``.

    It is the minimiser over u of ``(u - w)**2 / 2 + threshold * |u|``. Gradient descent
    on L + l1 * sum|w| with rate lr takes the data step ``w - lr * dL/dw`` and then
    ``l1_proximal(., lr * l1)``: unlike a subgradient step, it lands small weights on 0.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, got {threshold}")
    w = np.asarray(w, dtype=np.float64)
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


def max_norm(W, max_value, axis=0):
    """Max-norm constraint: scale each unit's weight vector down to norm ``max_value``
    if it is longer, leave it alone otherwise.

    ``W (n_in, n_out)``: with ``axis=0`` each column (the weights into one unit) is one
    vector, as ``keras.constraints.MaxNorm(max_value, axis=0)``. Applied after every
    update, it projects the weights back onto the ball ||w_j|| <= max_value.
    """
    if not max_value > 0:
        raise ValueError(f"max_value must be positive, got {max_value}")
    W = check_array("W", W, dtype_kind="fiu").astype(np.float64)
    norms = np.sqrt(np.sum(W**2, axis=axis, keepdims=True))
    return W * np.minimum(1.0, max_value / np.maximum(norms, np.finfo(float).tiny))


def dropout_forward(x, rate, rng=None, training=True, inverted=True):
    """Dropout on ``x``: each unit is zeroed with probability ``rate`` in training.

    ``inverted=True`` (Keras): training scales the kept units by 1/(1-rate), test
    returns ``x`` unchanged. ``inverted=False`` (the decks): training keeps units
    unscaled and test multiplies by (1-rate), i.e. "all the weights times 1-p".
    Returns ``(out, mask)``; ``mask`` is None at test time.
    """
    x = check_array("x", x, dtype_kind="fiu")
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    if not training:
        return (x if inverted else x * (1.0 - rate)), None
    if rng is None:
        raise ValueError("training-mode dropout needs a random generator `rng`")
    mask = rng.random(x.shape) >= rate
    scale = 1.0 / (1.0 - rate) if inverted else 1.0
    return x * mask * scale, mask


def dropout_backward(dout, mask, rate, inverted=True):
    """Gradient through training-mode dropout: the same mask (and scale) as forward.

    ``out = x * mask * scale`` is linear in ``x``, so ``dx = dout * mask * scale``, with
    ``scale = 1/(1-rate)`` for inverted dropout and 1 otherwise; ``dout`` and ``mask``
    (True where a unit was kept) have the shape of ``x``.
    """
    mask = check_array("mask", mask, dtype_kind="b")
    dout = check_array("dout", dout, shape=mask.shape, dtype_kind="f")
    scale = 1.0 / (1.0 - rate) if inverted else 1.0
    return dout * mask * scale


def early_stopping(val_losses, patience, min_delta=0.0):
    """Where training stops when it waits ``patience`` epochs for an improvement.

    An epoch improves when its loss is below ``best - min_delta`` (as in
    ``keras.callbacks.EarlyStopping``). Returns ``(stop_epoch, best_epoch)``
    (0-based); ``stop_epoch`` is None when training runs to the end.
    """
    losses = check_array("val_losses", val_losses, shape=(None,), dtype_kind="fi")
    if patience < 1:
        raise ValueError(f"patience must be at least 1, got {patience}")
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        wait += 1
        if loss + min_delta < best:
            best, best_epoch, wait = loss, epoch, 0
        elif wait >= patience and epoch > 0:
            return epoch, best_epoch
    return None, best_epoch
