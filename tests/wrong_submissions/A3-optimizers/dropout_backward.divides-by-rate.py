# fails: test_dropout_backward
# why: divides by the dropout rate instead of the keep probability 1 - rate
def dropout_backward(dout, mask, rate):
    """dL/dx of inverted dropout, given dL/dz (dout) and the keep mask of the forward pass."""
    return dout * mask / rate
