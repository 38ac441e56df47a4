# fails: test_conv2d_im2col
# why: the textbook convolution, which flips the kernel; frameworks do not flip
def conv2d_im2col(x, w, b, stride=1, padding=0):
    return conv2d_naive(x, w[::-1, ::-1], b, stride, padding)
