# fails: test_conv2d_backward_db
# why: sums over the filters too: one number instead of one per filter
def conv2d_backward(dout, x, w, stride=1, padding=0):
    x = np.asarray(x, dtype=np.float64)
    x_pad = np.pad(x, [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    kh, kw, _, filters = w.shape
    _, out_h, out_w, _ = dout.shape
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros(w.shape)
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                top, left = i * stride, j * stride
                for f in range(filters):
                    dx_pad[n, top: top + kh, left: left + kw, :] += w[:, :, :, f] * dout[n, i, j, f]
                    dw[:, :, :, f] += x_pad[n, top: top + kh, left: left + kw, :] * dout[n, i, j, f]
    dx = dx_pad[:, padding: padding + x.shape[1], padding: padding + x.shape[2], :]
    db = np.full(filters, dout.sum())
    return dx, dw, db
