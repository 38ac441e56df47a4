# fails: test_max_pool_forward
# why: starts the running maximum at 0 instead of -inf, so a window of negative values gives 0
def max_pool_forward(x, size=2, stride=2):
    n, h, wd, c = x.shape
    out_h, out_w = (h - size) // stride + 1, (wd - size) // stride + 1
    y = np.zeros((n, out_h, out_w, c))
    for u in range(size):
        for v in range(size):
            y = np.maximum(y, x[:, u: u + stride * out_h: stride, v: v + stride * out_w: stride, :])
    return y
