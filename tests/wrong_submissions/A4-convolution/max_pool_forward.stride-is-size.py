# fails: test_max_pool_forward
# why: ignores the stride argument and always moves the window by its size
def max_pool_forward(x, size=2, stride=2):
    n, h, wd, c = x.shape
    out_h, out_w = (h - size) // size + 1, (wd - size) // size + 1
    y = np.full((n, out_h, out_w, c), -np.inf)
    for u in range(size):
        for v in range(size):
            y = np.maximum(y, x[:, u: u + size * out_h: size, v: v + size * out_w: size, :])
    return y
