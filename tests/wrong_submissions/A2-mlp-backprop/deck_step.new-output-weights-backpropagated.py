# fails: test_deck_step
# why: W2 updated first, and the new W2 used to send the gradient to the hidden layer
def deck_step(params, X, y, lr, layers):
    W1, b1, W2, b2 = params
    z, dense1 = layers["dense_forward"](X, W1, b1)
    h, sigmoid_cache = layers["sigmoid_forward"](z)
    y_hat, dense2 = layers["dense_forward"](h, W2, b2)
    loss = float(0.5 * np.mean(np.sum((y_hat - y) ** 2, axis=1)))
    _, dW2, db2 = layers["dense_backward"]((y_hat - y) / len(X), dense2)
    W2, b2 = W2 - lr * dW2, b2 - lr * db2
    dh, _, _ = layers["dense_backward"]((y_hat - y) / len(X), (h, W2, b2))
    _, dW1, db1 = layers["dense_backward"](layers["sigmoid_backward"](dh, sigmoid_cache), dense1)
    return loss, [W1 - lr * dW1, b1 - lr * db1, W2, b2]
