# fails: test_rmsprop_step
# why: rho weighs the new squared gradient instead of the running average
def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    """One RMSProp step (Keras form). Returns (new_w, new_s)."""
    s = (1 - rho) * s + rho * g**2
    return w - lr * g / np.sqrt(s + epsilon), s
