# fails: test_clip_by_global_norm
# why: the gradients are rescaled to max_norm even when their norm is already below it
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients so that their global norm is at most max_norm."""
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    return [np.asarray(g) * (max_norm / norm) for g in grads], norm
