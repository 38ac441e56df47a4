# fails: test_lstm_step
# why: the candidate g goes through a sigmoid like the gates instead of tanh
def lstm_step(x, h_prev, c_prev, W, U, b):
    z_i, z_f, z_g, z_o = np.split(x @ W + h_prev @ U + b, 4, axis=-1)
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * sigmoid(z_g)
    return sigmoid(z_o) * np.tanh(c), c
