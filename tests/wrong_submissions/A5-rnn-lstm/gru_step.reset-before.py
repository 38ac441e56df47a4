# fails: test_gru_step
# why: the decks' reset-before form (Keras's reset_after=False), not the reset-after form the task asks for
def gru_step(x, h_prev, W, U, b):
    s_z, s_r, s_n = np.split(x @ W + b[0], 3, axis=-1)
    U_z, U_r, U_n = np.split(U, 3, axis=-1)
    b_z, b_r, b_n = np.split(b[1], 3)
    z, r = sigmoid(s_z + h_prev @ U_z + b_z), sigmoid(s_r + h_prev @ U_r + b_r)
    n = np.tanh(s_n + (r * h_prev) @ U_n + b_n)
    return z * h_prev + (1 - z) * n
