# fails: test_dropout_backward
# why: sends the gradient to the dropped units (~mask) instead of the kept ones
def dropout_backward(dout, mask, rate):
    """dL/dx of inverted dropout, given dL/dz (dout) and the keep mask of the forward pass."""
    return dout * ~mask / (1.0 - rate)
