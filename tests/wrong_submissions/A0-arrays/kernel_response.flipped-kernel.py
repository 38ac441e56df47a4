# fails: test_kernel_response
# why: the textbook convolution, which flips the kernel; the task asks for cross-correlation
def kernel_response(image, kernel, row, col):
    padded = np.pad(np.asarray(image, dtype=np.float64), 1)
    return float(np.sum(padded[row:row + 3, col:col + 3] * np.asarray(kernel)[::-1, ::-1]))
