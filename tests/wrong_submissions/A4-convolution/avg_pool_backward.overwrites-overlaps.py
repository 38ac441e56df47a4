# fails: test_avg_pool_backward
# why: assigns (=) instead of adding (+=), so inputs shared by overlapping windows keep only one share
def avg_pool_backward(dout, x_shape, size=2, stride=2):
    _, out_h, out_w, _ = dout.shape
    dx = np.zeros(x_shape)
    for i in range(out_h):
        for j in range(out_w):
            dx[:, i * stride: i * stride + size, j * stride: j * stride + size, :] = dout[:, i: i + 1, j: j + 1, :] / size**2
    return dx
