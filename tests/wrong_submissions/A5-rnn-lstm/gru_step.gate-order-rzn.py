# fails: test_gru_step
# why: the blocks read as [r, z, n] instead of Keras's [z, r, n]
def gru_step(x, h_prev, W, U, b):
    s_r, s_z, s_n = np.split(x @ W + b[0], 3, axis=-1)
    u_r, u_z, u_n = np.split(h_prev @ U + b[1], 3, axis=-1)
    z, r = sigmoid(s_z + u_z), sigmoid(s_r + u_r)
    n = np.tanh(s_n + r * u_n)
    return z * h_prev + (1 - z) * n
