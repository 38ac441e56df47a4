# fails: test_mlp_loss_and_grads
# why: the gradients returned in the order the backward loop found them (last layer first)
def mlp_loss_and_grads(params, X, y, layers, activation="relu"):
    forward, backward = layers[activation + "_forward"], layers[activation + "_backward"]
    depth = len(params) // 2
    out, caches = X, []
    for layer in range(depth):
        out, dense_cache = layers["dense_forward"](out, params[2 * layer], params[2 * layer + 1])
        activation_cache = None
        if layer < depth - 1:
            out, activation_cache = forward(out)
        caches.append((dense_cache, activation_cache))
    loss, dout = layers["softmax_cross_entropy"](out, y)
    grads = []
    for layer in reversed(range(depth)):
        dense_cache, activation_cache = caches[layer]
        if activation_cache is not None:
            dout = backward(dout, activation_cache)
        dout, dW, db = layers["dense_backward"](dout, dense_cache)
        grads += [dW, db]
    return loss, grads
