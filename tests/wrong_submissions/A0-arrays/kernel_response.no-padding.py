# fails: test_kernel_response
# why: no zero padding: at the border the slice wraps or comes back short
def kernel_response(image, kernel, row, col):
    image = np.asarray(image, dtype=np.float64)
    window = image[max(row - 1, 0):row + 2, max(col - 1, 0):col + 2]
    return float(np.sum(window * np.asarray(kernel)[:window.shape[0], :window.shape[1]]))
