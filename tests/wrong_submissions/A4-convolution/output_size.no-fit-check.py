# fails: test_output_size
# why: drops the rows no window reaches, as frameworks do, instead of raising when O is not whole
def output_size(size, kernel, padding=0, stride=1):
    if size < 1 or kernel < 1 or stride < 1 or padding < 0:
        raise ValueError("need size, kernel, stride >= 1 and padding >= 0")
    if size + 2 * padding < kernel:
        raise ValueError("the kernel is larger than the padded input")
    return (size - kernel + 2 * padding) // stride + 1
