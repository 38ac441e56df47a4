# fails: test_mlp_loss_and_grads
# why: the activation applied after the last Dense layer too, before the softmax
def mlp_loss_and_grads(params, X, y, layers, activation="relu"):
    forward, backward = layers[activation + "_forward"], layers[activation + "_backward"]
    depth = len(params) // 2
    out, caches = X, []
    for layer in range(depth):
        out, dense_cache = layers["dense_forward"](out, params[2 * layer], params[2 * layer + 1])
        activation_cache = None
        if True:
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
    return loss, [g for pair in zip(grads[-2::-2], grads[::-2]) for g in pair]
