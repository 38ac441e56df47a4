# fails: test_momentum_step
# why: Nesterov's look-ahead step instead of Keras's plain momentum
def momentum_step(w, g, m, lr, momentum):
    """One SGD-with-momentum step (Keras form). Returns (new_w, new_m)."""
    m = momentum * m - lr * g
    return w + momentum * m - lr * g, m
