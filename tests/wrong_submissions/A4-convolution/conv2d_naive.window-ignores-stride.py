# fails: test_conv2d_naive
# why: the output has the strided size, but window (i, j) starts at row i, column j instead of i*S, j*S
def conv2d_naive(x, w, b, stride=1, padding=0):
    x = np.pad(np.asarray(x, dtype=np.float64), [(0, 0), (padding, padding), (padding, padding), (0, 0)])
    kh, kw, _, filters = w.shape
    out_h = (x.shape[1] - kh) // stride + 1
    out_w = (x.shape[2] - kw) // stride + 1
    y = np.zeros((x.shape[0], out_h, out_w, filters))
    for n in range(x.shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = x[n, i: i + kh, j: j + kw, :]
                for f in range(filters):
                    y[n, i, j, f] = np.sum(window * w[:, :, :, f]) + b[f]
    return y
