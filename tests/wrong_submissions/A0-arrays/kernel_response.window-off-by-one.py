# fails: test_kernel_response
# why: the window taken at padded[row + 1, col + 1] as the top-left corner, one pixel too far
def kernel_response(image, kernel, row, col):
    padded = np.pad(np.asarray(image, dtype=np.float64), 1)
    window = padded[row + 1:row + 4, col + 1:col + 4]
    kernel = np.asarray(kernel, dtype=np.float64)[:window.shape[0], :window.shape[1]]
    return float(np.sum(window * kernel))
