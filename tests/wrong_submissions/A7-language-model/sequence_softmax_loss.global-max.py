# fails: test_sequence_softmax_loss
# why: subtracts the maximum of the whole array, so a step whose logits lie 900 below it underflows to log(0)
def sequence_softmax_loss(logits, y):
    """Mean per-step cross-entropy of logits (N, T, V) with labels y (N, T); returns (loss, dlogits)."""
    p = np.exp(logits - logits.max())
    p /= p.sum(axis=-1, keepdims=True)
    n, steps = y.shape
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    loss = float(-np.mean(np.log(picked)))
    dlogits = p.copy()
    np.put_along_axis(dlogits, y[..., None], picked[..., None] - 1, axis=-1)
    return loss, dlogits / (n * steps)
