# fails: test_deck_step
# why: the slide's sign: w + eta (y_hat - y) ..., a step uphill
def deck_step(params, X, y, lr, layers):
    W1, b1, W2, b2 = params
    z, dense1 = layers["dense_forward"](X, W1, b1)
    h, sigmoid_cache = layers["sigmoid_forward"](z)
    y_hat, dense2 = layers["dense_forward"](h, W2, b2)
    loss = float(0.5 * np.mean(np.sum((y_hat - y) ** 2, axis=1)))
    dh, dW2, db2 = layers["dense_backward"]((y_hat - y) / len(X), dense2)
    _, dW1, db1 = layers["dense_backward"](layers["sigmoid_backward"](dh, sigmoid_cache), dense1)
    return loss, [p + lr * g for p, g in zip(params, (dW1, db1, dW2, db2))]
