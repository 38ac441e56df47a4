# fails: test_rnn_step
# why: a sigmoid instead of SimpleRNN's tanh
def rnn_step(x, h_prev, Wx, Wh, b):
    """One vanilla RNN step with tanh; returns h of shape (N, H)."""
    return sigmoid(x @ Wx + h_prev @ Wh + b)
