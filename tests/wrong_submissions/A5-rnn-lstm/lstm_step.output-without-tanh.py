# fails: test_lstm_step
# why: the output is o * c instead of o * tanh(c)
def lstm_step(x, h_prev, c_prev, W, U, b):
    z_i, z_f, z_g, z_o = np.split(x @ W + h_prev @ U + b, 4, axis=-1)
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * c, c
