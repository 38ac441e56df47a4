# fails: test_lstm_step
# why: the gate blocks read in the order [i, f, o, g] instead of Keras's [i, f, g, o]
def lstm_step(x, h_prev, c_prev, W, U, b):
    a_i, a_f, a_o, a_g = np.split(x @ W + h_prev @ U + b, 4, axis=-1)
    c = sigmoid(a_f) * c_prev + sigmoid(a_i) * np.tanh(a_g)
    h = sigmoid(a_o) * np.tanh(c)
    return h, c
