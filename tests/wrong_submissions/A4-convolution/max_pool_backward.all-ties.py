# fails: test_max_pool_backward
# why: sends the gradient to every input equal to the window's max, so ties get it twice
def max_pool_backward(dout, x, size=2, stride=2):
    n, out_h, out_w, c = dout.shape
    dx = np.zeros(x.shape)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * stride: i * stride + size, j * stride: j * stride + size, :]
            is_max = window == window.max(axis=(1, 2), keepdims=True)
            dx[:, i * stride: i * stride + size, j * stride: j * stride + size, :] += is_max * dout[:, i: i + 1, j: j + 1, :]
    return dx
