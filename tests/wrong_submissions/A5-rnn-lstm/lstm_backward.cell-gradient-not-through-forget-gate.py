# fails: test_lstm_backward
# why: dc_next = dc, without the factor f that c_t = f c_{t-1} + ... puts on the way back
def lstm_backward(dH, cache):
    """BPTT through the LSTM; returns (dX, dh0, dc0, dW, dU, db)."""
    X, W, U, H, C = cache["X"], cache["W"], cache["U"], cache["H"], cache["C"]
    dX, dW, dU = np.zeros_like(X, dtype=np.float64), np.zeros_like(W), np.zeros_like(U)
    db = np.zeros(W.shape[1])
    dh_next = np.zeros_like(cache["h0"], dtype=np.float64)
    dc_next = np.zeros_like(dh_next)
    for t in reversed(range(X.shape[1])):
        i, f, g, o = (cache[k][:, t] for k in "ifgo")
        h_prev = H[:, t - 1] if t > 0 else cache["h0"]
        c_prev = C[:, t - 1] if t > 0 else cache["c0"]
        tanh_c = np.tanh(C[:, t])
        dh = dH[:, t] + dh_next
        dc = dc_next + dh * o * (1 - tanh_c ** 2)
        delta = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                dc * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
        dW += X[:, t].T @ delta
        dU += h_prev.T @ delta
        db += delta.sum(axis=0)
        dX[:, t] = delta @ W.T
        dh_next, dc_next = delta @ U.T, dc
    return dX, dh_next, dc_next, dW, dU, db
