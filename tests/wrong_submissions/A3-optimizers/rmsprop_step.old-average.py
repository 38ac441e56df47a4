# fails: test_rmsprop_step
# why: divides by the running average before it is updated with this step's gradient
def rmsprop_step(w, g, s, lr, rho=0.9, epsilon=1e-7):
    """One RMSProp step (Keras form). Returns (new_w, new_s)."""
    new_w = w - lr * g / np.sqrt(s + epsilon)
    return new_w, rho * s + (1 - rho) * g**2
