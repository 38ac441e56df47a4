# fails: test_clip_by_global_norm
# why: the deck's np.sum(grad * grad) as the norm, without the square root
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients so that their global norm is at most max_norm."""
    norm = float(sum(np.sum(g * g) for g in grads))
    scale = max_norm / norm if norm > max_norm else 1.0
    return [np.asarray(g) * scale for g in grads], norm
