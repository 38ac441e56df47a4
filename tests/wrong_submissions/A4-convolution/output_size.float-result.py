# fails: test_output_size
# why: returns a float (5.0), not an int: it cannot be used as a shape
def output_size(size, kernel, padding=0, stride=1):
    if size < 1 or kernel < 1 or stride < 1 or padding < 0:
        raise ValueError("need size, kernel, stride >= 1 and padding >= 0")
    span = size - kernel + 2 * padding
    if span < 0:
        raise ValueError("the kernel is larger than the padded input")
    if span % stride:
        raise ValueError(f"stride {stride} does not fit")
    return span / stride + 1
