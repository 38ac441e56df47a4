# fails: test_rnn_step
# why: the bias b is left out of the pre-activation
def rnn_step(x, h_prev, Wx, Wh, b):
    """One vanilla RNN step with tanh; returns h of shape (N, H)."""
    return np.tanh(x @ Wx + h_prev @ Wh)
