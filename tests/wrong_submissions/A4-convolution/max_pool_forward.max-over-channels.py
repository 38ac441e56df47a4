# fails: test_max_pool_forward
# why: takes the maximum over the channels too, so every channel gets the same value
def max_pool_forward(x, size=2, stride=2):
    n, h, wd, c = x.shape
    out_h, out_w = (h - size) // stride + 1, (wd - size) // stride + 1
    y = np.zeros((n, out_h, out_w, c))
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * stride: i * stride + size, j * stride: j * stride + size, :]
            y[:, i, j, :] = window.max(axis=(1, 2, 3))[:, None]
    return y
