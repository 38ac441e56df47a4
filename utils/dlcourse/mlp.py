"""A multi-layer perceptron from scratch: vectorised layers, losses and a training loop.

Shapes are batch first, as in Keras: a Dense layer maps ``X (N, D)`` to
``X @ W + b`` with ``W (D, H)`` and ``b (H,)``, so its weights load straight into
``keras.layers.Dense``. Every backward pass here is checked against a numerical
gradient in ``tests/test_mlp.py``.
"""

import time

import numpy as np

from dlcourse.activations import ACTIVATIONS, softmax
from dlcourse.checks import check_array, numerical_gradient, rel_error


def dense_forward(X, W, b):
    """Affine layer ``X @ W + b`` for a batch ``X (N, D)``, ``W (D, H)``, ``b (H,)``."""
    W = check_array("W", W, shape=(None, None), dtype_kind="f")
    X = check_array("X", X, shape=(None, W.shape[0]), dtype_kind="fiu")
    b = check_array("b", b, shape=(W.shape[1],), dtype_kind="f")
    return X @ W + b


def dense_backward(dout, X, W):
    """Gradients ``(dX, dW, db)`` of a Dense layer, given ``dout = dL/d(X @ W + b)``.

    dX = dout @ W.T,  dW = X.T @ dout,  db = dout summed over the batch.
    """
    X = np.asarray(X, dtype=np.float64)
    dout = check_array("dout", dout, shape=(X.shape[0], np.shape(W)[1]), dtype_kind="f")
    return dout @ W.T, X.T @ dout, dout.sum(axis=0)


def _activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def activation_forward(z, name):
    """Apply the activation ``name`` ('relu', 'sigmoid' or 'tanh') elementwise."""
    return _activation(name)[0](z)


def activation_backward(dout, z, name):
    """``dL/dz = dL/da * phi'(z)``: elementwise, since ``a = phi(z)`` entry by entry."""
    dout = check_array("dout", dout, shape=np.shape(z), dtype_kind="f")
    return dout * _activation(name)[1](z)


def check_labels(y, n, classes):
    """Integer labels ``(n,)`` in ``0..classes-1``, or a readable error."""
    y = check_array("y (labels)", y, shape=(n,), dtype_kind="iu")
    if y.size and (y.min() < 0 or y.max() >= classes):
        raise ValueError(f"labels must lie in 0..{classes - 1}, got {y.min()}..{y.max()}")
    return y


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    L = -mean_n log p[n, y_n] with p = softmax(logits); dL/dlogits = (p - onehot(y)) / N.
    Returns ``(loss, dlogits)``.
    """
    logits = check_array("logits", logits, shape=(None, None), dtype_kind="f")
    n, classes = logits.shape
    y = check_labels(y, n, classes)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), y].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n


def mse_loss(pred, target):
    """Half mean squared error of predictions ``pred`` (y_hat) against labels ``target`` (y).

    ``L = 0.5 * mean_n ||y_hat_n - y_n||^2``; returns ``(L, dL/dy_hat)``.
    """
    pred = check_array("predictions", pred, shape=(None, None), dtype_kind="f")
    target = check_array("targets", target, shape=pred.shape, dtype_kind="fi")
    diff = pred - target
    return float(0.5 * np.sum(diff**2) / len(pred)), diff / len(pred)


LOSSES = {"softmax": softmax_cross_entropy, "mse": mse_loss}


def count_parameters(sizes):
    """Weights plus biases of a chain of Dense layers with sizes ``[n_0, ..., n_d]``.

    That is ``sum_{l=1..d} (n_{l-1} + 1) * n_l``: a weight per edge, a bias per unit.
    """
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def epoch_orders(n, epochs, seed=0):
    """The shuffled order of the ``n`` training rows in each epoch (seeded)."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(n) for _ in range(epochs)]


class MLP:
    """Dense layers of the given ``sizes`` (``[D, H, ..., n_out]``) with one activation
    ``phi`` between them.

    ``loss="softmax"`` treats the last layer as class logits (softmax cross-entropy);
    ``loss="mse"`` makes it a regression output. Weights are drawn with He scaling
    for ReLU and Xavier/Glorot scaling otherwise, from a seeded generator.
    """

    def __init__(self, sizes, activation="relu", loss="softmax", seed=0):
        _activation(activation)
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
        if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(f"sizes must be at least two positive integers, got {sizes}")
        rng = np.random.default_rng(seed)
        gain = 2.0 if activation == "relu" else 1.0
        self.sizes, self.activation, self.loss = list(sizes), activation, loss
        self.params = [
            (rng.normal(0.0, np.sqrt(gain / n_in), size=(n_in, n_out)), np.zeros(n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]

    @classmethod
    def from_params(cls, params, activation="relu", loss="softmax"):
        """The network whose weights are the flat list ``[W1, b1, ..., Wd, bd]`` (float64 arrays are
        shared, not copied: training it changes them)."""
        if len(params) < 2 or len(params) % 2:
            raise ValueError(f"params must be [W1, b1, ..., Wd, bd], got {len(params)} arrays")
        weights = [np.asarray(W, dtype=np.float64) for W in params[::2]]
        mlp = cls([weights[0].shape[0]] + [W.shape[1] for W in weights], activation, loss)
        mlp.params = [(W, np.asarray(b, dtype=np.float64)) for W, b in zip(weights, params[1::2])]
        return mlp

    def forward(self, X):
        """Output of the network and the cache of each layer's input and pre-activation ``z``."""
        cache = []
        out = np.asarray(X, dtype=np.float64)
        for i, (W, b) in enumerate(self.params):
            z = dense_forward(out, W, b)
            cache.append((out, z))
            out = z if i == len(self.params) - 1 else activation_forward(z, self.activation)
        return out, cache

    def loss_and_grads(self, X, y):
        """Loss on a batch and the gradients ``[(dW, db), ...]`` by backpropagation."""
        out, cache = self.forward(X)
        loss, dout = LOSSES[self.loss](out, y)
        grads = []
        for i in reversed(range(len(self.params))):
            inputs, z = cache[i]
            if i < len(self.params) - 1:
                dout = activation_backward(dout, z, self.activation)
            dout, dW, db = dense_backward(dout, inputs, self.params[i][0])
            grads.append((dW, db))
        return loss, grads[::-1]

    def predict(self, X):
        """Class labels (softmax loss) or outputs (mse loss) for a batch."""
        out, _ = self.forward(X)
        return out.argmax(axis=1) if self.loss == "softmax" else out

    def predict_proba(self, X):
        """Softmax class probabilities for a batch."""
        return softmax(self.forward(X)[0], axis=1)

    def accuracy(self, X, y):
        """Fraction of correctly classified rows."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def fit(self, X, y, epochs=30, batch_size=32, learning_rate=0.1, momentum=0.9, seed=0):
        """Mini-batch SGD with (heavy-ball) momentum; returns per-epoch loss and time.

        The velocity ``m`` of each parameter is ``m = momentum * m - learning_rate * grad``
        and the step is ``param += m``, as in ``keras.optimizers.SGD(momentum=...)``.
        """
        X = check_array("X", X, shape=(None, self.sizes[0]), dtype_kind="fiu").astype(np.float64)
        velocity = [(np.zeros_like(W), np.zeros_like(b)) for W, b in self.params]  # one m per parameter
        history = {"loss": [], "seconds": 0.0}
        start = time.perf_counter()
        for order in epoch_orders(len(X), epochs, seed):
            losses = []
            for begin in range(0, len(X), batch_size):
                batch = order[begin: begin + batch_size]
                loss, grads = self.loss_and_grads(X[batch], np.asarray(y)[batch])
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"the loss became {loss}: learning rate {learning_rate} is too large")
                losses.append(loss)
                for (W, b), (mW, mb), (dW, db) in zip(self.params, velocity, grads):
                    mW *= momentum
                    mW -= learning_rate * dW
                    mb *= momentum
                    mb -= learning_rate * db
                    W += mW
                    b += mb
            history["loss"].append(float(np.mean(losses)))
        history["seconds"] = time.perf_counter() - start
        return history

    def keras_weights(self):
        """The weights as ``keras.Model.set_weights`` expects them: [W1, b1, W2, b2, ...]."""
        return [array.copy() for pair in self.params for array in pair]


def network_loss_and_grads(params, X, y, activation="relu"):
    """Softmax cross-entropy of the network ``[W1, b1, ..., Wd, bd]`` on a batch, and the
    gradients ``[dW1, db1, ..., dWd, dbd]`` (A2's ``mlp_loss_and_grads``)."""
    loss, grads = MLP.from_params(params, activation).loss_and_grads(X, y)
    return loss, [g for pair in grads for g in pair]


def reference_layers():
    """A2's modular layers (tasks 2 to 5), done right: ``{name: function}`` with A2's signatures.

    Each forward returns ``(out, cache)`` and each backward takes ``(dout, cache)``: a
    Dense layer caches ``(X, W, b)``, an activation its input ``z``.
    """
    return {
        "dense_forward": lambda X, W, b: (dense_forward(X, W, b), (X, W, b)),
        "dense_backward": lambda dout, cache: dense_backward(dout, cache[0], cache[1]),
        "relu_forward": lambda z: (activation_forward(z, "relu"), z),
        "relu_backward": lambda dout, z: activation_backward(dout, z, "relu"),
        "sigmoid_forward": lambda z: (activation_forward(z, "sigmoid"), z),
        "sigmoid_backward": lambda dout, z: activation_backward(dout, z, "sigmoid"),
        "softmax_cross_entropy": softmax_cross_entropy,
    }


def gradient_check(mlp, X, y, h=1e-5):
    """Largest relative error between backprop and central differences, per parameter.

    Returns ``{"W1": err, "b1": err, ...}``; in float64 a correct backward pass gives
    errors around 1e-9 or smaller.
    """
    _, grads = mlp.loss_and_grads(X, y)
    errors = {}
    for layer, ((W, b), (dW, db)) in enumerate(zip(mlp.params, grads), start=1):
        for name, param, grad in ((f"W{layer}", W, dW), (f"b{layer}", b, db)):
            numeric = numerical_gradient(lambda _: mlp.loss_and_grads(X, y)[0], param, h)
            errors[name] = rel_error(grad, numeric)
    return errors
