# fails: test_avg_pool_backward
# why: spreads dout by repeating it over size x size blocks (np.repeat), which ignores the stride
def avg_pool_backward(dout, x_shape, size=2, stride=2):
    spread = np.repeat(np.repeat(dout, size, axis=1), size, axis=2) / size**2
    dx = np.zeros(x_shape)
    h, w = min(spread.shape[1], x_shape[1]), min(spread.shape[2], x_shape[2])
    dx[:, :h, :w, :] = spread[:, :h, :w, :]
    return dx
