# fails: test_rmsprop_step
# why: epsilon added outside the square root, sqrt(s) + epsilon
def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    """One RMSProp step (Keras form). Returns (new_w, new_s)."""
    s = rho * s + (1 - rho) * g**2
    return w - lr * g / (np.sqrt(s) + epsilon), s
