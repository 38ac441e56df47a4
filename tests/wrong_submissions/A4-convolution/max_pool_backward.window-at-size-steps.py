# fails: test_max_pool_backward
# why: places window (i, j) at i*size, j*size (the stride is ignored), so overlapping windows look at the wrong pixels
def max_pool_backward(dout, x, size=2, stride=2):
    n, out_h, out_w, c = dout.shape
    dx = np.zeros(x.shape)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * size: i * size + size, j * size: j * size + size, :]
            if window.shape[1:3] != (size, size):
                continue
            winner = window.reshape(n, size * size, c).argmax(axis=1)
            rows, cols = np.unravel_index(winner, (size, size))
            for image in range(n):
                for channel in range(c):
                    dx[image, i * size + rows[image, channel], j * size + cols[image, channel], channel] += (
                        dout[image, i, j, channel])
    return dx
