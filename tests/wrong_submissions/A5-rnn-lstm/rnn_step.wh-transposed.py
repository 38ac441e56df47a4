# fails: test_rnn_step
# why: the recurrent product uses Wh.T (the decks' column-vector W_hh) instead of Keras's h_prev @ Wh
def rnn_step(x, h_prev, Wx, Wh, b):
    """One vanilla RNN step with tanh; returns h of shape (N, H)."""
    return np.tanh(x @ Wx + h_prev @ Wh.T + b)
