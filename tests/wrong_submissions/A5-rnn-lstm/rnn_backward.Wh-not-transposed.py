# fails: test_rnn_backward
# why: the gradient flows to h_{t-1} through Wh instead of Wh.T
def rnn_backward(dH, X, H, h0, Wx, Wh):
    """BPTT for the tanh RNN; returns (dX, dh0, dWx, dWh, db)."""
    dX = np.zeros_like(X, dtype=np.float64)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
    dh_next = np.zeros_like(h0, dtype=np.float64)
    for t in reversed(range(X.shape[1])):
        dz = (dH[:, t] + dh_next) * (1 - H[:, t] ** 2)
        h_prev = H[:, t - 1] if t > 0 else h0
        dWx += X[:, t].T @ dz
        dWh += h_prev.T @ dz
        db += dz.sum(axis=0)
        dX[:, t] = dz @ Wx.T
        dh_next = dz @ Wh
    return dX, dh_next, dWx, dWh, db
