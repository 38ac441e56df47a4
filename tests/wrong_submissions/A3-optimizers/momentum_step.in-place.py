# fails: test_momentum_step
# why: updates w and m in place, so the caller's arrays change
def momentum_step(w, g, m, lr, momentum):
    """One SGD-with-momentum step (Keras form). Returns (new_w, new_m)."""
    m *= momentum
    m -= lr * g
    w += m
    return w, m
