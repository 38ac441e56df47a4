# fails: test_lstm_step
# why: the first two blocks read as [f, i] (the decks list the forget gate first), not Keras's [i, f]
def lstm_step(x, h_prev, c_prev, W, U, b):
    z_f, z_i, z_g, z_o = np.split(x @ W + h_prev @ U + b, 4, axis=-1)
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_g)
    return sigmoid(z_o) * np.tanh(c), c
