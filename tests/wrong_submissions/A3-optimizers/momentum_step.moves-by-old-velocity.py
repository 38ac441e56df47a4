# fails: test_momentum_step
# why: moves w by the old velocity, then updates the velocity
def momentum_step(w, g, m, lr, momentum):
    """One SGD-with-momentum step (Keras form). Returns (new_w, new_m)."""
    new_w = w + m
    m = momentum * m - lr * g
    return new_w, m
