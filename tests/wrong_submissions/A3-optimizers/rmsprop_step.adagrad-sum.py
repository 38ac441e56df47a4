# fails: test_rmsprop_step
# why: accumulates the squared gradients (Adagrad) instead of averaging them
def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    """One RMSProp step (Keras form). Returns (new_w, new_s)."""
    s = rho * s + g**2
    return w - lr * g / np.sqrt(s + epsilon), s
