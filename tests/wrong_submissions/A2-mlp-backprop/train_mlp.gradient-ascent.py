# fails: test_train_mlp
# why: adds the gradient instead of subtracting it
def train_mlp(x_train, y_train, loss_and_grads, seed=0):
    params = init_params([64, 128, 10], seed)
    shuffler = np.random.default_rng(seed)
    for _ in range(20):
        order = shuffler.permutation(len(x_train))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            _, grads = loss_and_grads(params, x_train[batch], y_train[batch])
            for param, grad in zip(params, grads):
                param += 0.1 * grad
    return params
