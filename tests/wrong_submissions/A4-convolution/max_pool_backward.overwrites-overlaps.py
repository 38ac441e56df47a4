# fails: test_max_pool_backward
# why: assigns (=) instead of adding (+=), so an input that wins two overlapping windows keeps only the last gradient
def max_pool_backward(dout, x, size=2, stride=2):
    n, out_h, out_w, c = dout.shape
    dx = np.zeros(x.shape)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * stride: i * stride + size, j * stride: j * stride + size, :]
            winner = window.reshape(n, size * size, c).argmax(axis=1)
            rows, cols = np.unravel_index(winner, (size, size))
            for image in range(n):
                for channel in range(c):
                    dx[image, i * stride + rows[image, channel], j * stride + cols[image, channel], channel] = (
                        dout[image, i, j, channel])
    return dx
