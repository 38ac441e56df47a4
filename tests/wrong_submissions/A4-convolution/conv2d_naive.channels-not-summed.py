# fails: test_conv2d_naive
# why: filter f only looks at input channel f mod C_in instead of summing over all channels
def conv2d_naive(x, w, b, stride=1, padding=0):
    x = np.pad(np.asarray(x, dtype=np.float64), [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    kh, kw, channels, filters = w.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = x[n, i * stride: i * stride + kh, j * stride: j * stride + kw, :]
                for f in range(filters):
                    c = f % channels
                    y[n, i, j, f] = np.sum(window[:, :, c] * w[:, :, c, f]) + b[f]
    return y
