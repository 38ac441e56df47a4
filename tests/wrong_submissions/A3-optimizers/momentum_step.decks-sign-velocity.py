# fails: test_momentum_step
# why: the decks' velocity v = momentum*v + lr*g, w - v, returned as if it were Keras's m (sign flipped)
def momentum_step(w, g, m, lr, momentum):
    """One SGD-with-momentum step (Keras form). Returns (new_w, new_m)."""
    m = momentum * m + lr * g
    return w - m, m
