# fails: test_mlp_loss_and_grads
# why: written for exactly two layers: a deeper network is cut after its second layer
def mlp_loss_and_grads(params, X, y, layers, activation="relu"):
    forward, backward = layers[activation + "_forward"], layers[activation + "_backward"]
    W1, b1, W2, b2 = params[:4]
    z1, cache1 = layers["dense_forward"](X, W1, b1)
    a1, cache_a = forward(z1)
    logits, cache2 = layers["dense_forward"](a1, W2, b2)
    loss, dlogits = layers["softmax_cross_entropy"](logits, y)
    da1, dW2, db2 = layers["dense_backward"](dlogits, cache2)
    _, dW1, db1 = layers["dense_backward"](backward(da1, cache_a), cache1)
    return loss, [dW1, db1, dW2, db2]
