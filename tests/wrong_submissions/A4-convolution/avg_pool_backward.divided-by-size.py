# fails: test_avg_pool_backward
# why: divides by the window's side K instead of its K^2 inputs
def avg_pool_backward(dout, x_shape, size=2, stride=2):
    _, out_h, out_w, _ = dout.shape
    dx = np.zeros(x_shape)
    for i in range(out_h):
        for j in range(out_w):
            dx[:, i * stride: i * stride + size, j * stride: j * stride + size, :] += dout[:, i: i + 1, j: j + 1, :] / size
    return dx
