# fails: test_adam_step
# why: beta_1 and beta_2 swapped in the bias correction
def adam_step(w, g, m, v, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    lr_t = lr * np.sqrt(1 - beta_1**t) / (1 - beta_2**t)
    return w - lr_t * m / (np.sqrt(v) + epsilon), m, v
