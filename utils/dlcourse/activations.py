"""Activation functions a = phi(z) and their derivatives, written from the formulas.

Each ``*_derivative`` takes the pre-activation ``z`` and returns phi'(z) = d a / d z
elementwise; they are checked against numerical gradients and Keras in the tests.
"""

import numpy as np


def sign(z):
    """The decks' threshold unit: +1 where z >= 0, else -1 (so sign(0) = +1, unlike np.sign)."""
    return np.where(np.asarray(z) >= 0, 1.0, -1.0)


def sigmoid(z):
    """Logistic function 1 / (1 + e^{-z}), computed without overflow."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent (e^z - e^{-z}) / (e^z + e^{-z})."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64)) ** 2


def relu(z):
    """max(0, z)."""
    return np.maximum(0.0, np.asarray(z, dtype=np.float64))


def relu_derivative(z):
    """1 where z > 0, else 0 (the subgradient 0 is taken at z = 0, as Keras does)."""
    return (np.asarray(z) > 0).astype(np.float64)


def softmax(z, axis=-1):
    """e^{z_k} / sum_j e^{z_j} along ``axis``, shifted by the max for stability."""
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}
