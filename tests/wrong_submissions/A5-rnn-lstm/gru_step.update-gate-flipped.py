# fails: test_gru_step
# why: h = (1 - z) h_prev + z n, Olah's direction of z, where Keras keeps h_prev with z
def gru_step(x, h_prev, W, U, b):
    s_z, s_r, s_n = np.split(x @ W + b[0], 3, axis=-1)
    u_z, u_r, u_n = np.split(h_prev @ U + b[1], 3, axis=-1)
    z, r = sigmoid(s_z + u_z), sigmoid(s_r + u_r)
    n = np.tanh(s_n + r * u_n)
    return (1 - z) * h_prev + z * n
