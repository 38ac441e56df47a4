# fails: test_conv2d_im2col
# why: the strided slice forgets its step: x_pad[:, u:u + O_H, v:v + O_W] takes neighbouring pixels
def conv2d_im2col(x, w, b, stride=1, padding=0):
    x = np.pad(np.asarray(x, dtype=np.float64), [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    kh, kw, c, filters = w.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    cols = np.empty((x.shape[0], out_h, out_w, kh, kw, c))
    for u in range(kh):
        for v in range(kw):
            cols[:, :, :, u, v, :] = x[:, u: u + out_h, v: v + out_w, :]
    y = cols.reshape(-1, kh * kw * c) @ w.reshape(-1, filters) + b
    return y.reshape(x.shape[0], out_h, out_w, filters)
