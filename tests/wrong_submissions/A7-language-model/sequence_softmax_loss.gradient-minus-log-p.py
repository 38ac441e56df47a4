# fails: test_sequence_softmax_loss
# why: the gradient at the logits taken as -1/p at the label (the derivative with respect to p, not s)
def sequence_softmax_loss(logits, y):
    """Mean per-step cross-entropy of logits (N, T, V) with labels y (N, T); returns (loss, dlogits)."""
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    n, steps = y.shape
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    loss = float(-np.mean(np.log(picked)))
    dlogits = np.zeros_like(p)
    np.put_along_axis(dlogits, y[..., None], -1 / picked[..., None], axis=-1)
    return loss, dlogits / (n * steps)
