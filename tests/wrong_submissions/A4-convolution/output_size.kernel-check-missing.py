# fails: test_output_size
# why: never checks that the kernel fits in the padded input (a 5-wide kernel on 3 inputs gives O = -1)
def output_size(size, kernel, padding=0, stride=1):
    if size < 1 or kernel < 1 or stride < 1 or padding < 0:
        raise ValueError("need size, kernel, stride >= 1 and padding >= 0")
    span = size - kernel + 2 * padding
    if span % stride:
        raise ValueError(f"stride {stride} does not fit")
    return span // stride + 1
