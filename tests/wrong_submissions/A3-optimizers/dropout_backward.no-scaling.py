# fails: test_dropout_backward
# why: forgets the 1/(1-rate) scale of the forward pass
def dropout_backward(dout, mask, rate):
    """dL/dx of inverted dropout, given dL/dz (dout) and the keep mask of the forward pass."""
    return dout * mask
