# fails: test_adam_step
# why: the second moment's bias correction without its square root
def adam_step(w, g, m, v, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    lr_t = lr * (1 - beta_2**t) / (1 - beta_1**t)
    return w - lr_t * m / (np.sqrt(v) + epsilon), m, v
