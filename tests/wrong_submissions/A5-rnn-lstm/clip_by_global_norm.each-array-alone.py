# fails: test_clip_by_global_norm
# why: each array is clipped by its own norm, which turns the update's direction
def clip_by_global_norm(grads, max_norm):
    """Scale all gradients so that their global norm is at most max_norm."""
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads)))
    clipped = []
    for g in grads:
        own = np.sqrt(np.sum(np.square(g)))
        clipped.append(np.asarray(g) * (max_norm / own if own > max_norm else 1.0))
    return clipped, norm
