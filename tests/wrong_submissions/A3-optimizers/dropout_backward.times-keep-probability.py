# fails: test_dropout_backward
# why: multiplies by the keep probability 1 - rate instead of dividing by it
def dropout_backward(dout, mask, rate):
    """dL/dx of inverted dropout, given dL/dz (dout) and the keep mask of the forward pass."""
    return dout * mask * (1.0 - rate)
