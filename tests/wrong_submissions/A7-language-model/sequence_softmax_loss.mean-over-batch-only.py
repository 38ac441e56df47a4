# fails: test_sequence_softmax_loss
# why: sums the steps of each sequence and averages over the N sequences only (divides by N, not N T)
def sequence_softmax_loss(logits, y):
    """Mean per-step cross-entropy of logits (N, T, V) with labels y (N, T); returns (loss, dlogits)."""
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    n = y.shape[0]
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    loss = float(-np.sum(np.log(picked)) / n)
    dlogits = p.copy()
    np.put_along_axis(dlogits, y[..., None], picked[..., None] - 1, axis=-1)
    return loss, dlogits / n
