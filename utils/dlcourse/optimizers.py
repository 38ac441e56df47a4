"""Optimisers from scratch: small update rules on NumPy arrays, in Keras's exact form.

Each optimiser keeps its own state (velocity, accumulators, step count) for one
parameter array. ``step(w, g)`` returns the updated parameters and leaves ``w``
untouched. The formulas follow ``keras/src/optimizers/*.py`` line by line, so
the same hyper-parameters give the same numbers as Keras (tested to 1e-6 over
100 steps in float64). Where Keras differs from the textbook form, the
docstring says how. Keras casts SGD's momentum and Adam's betas through float32
(0.9 -> 0.899999976), so only values float32 stores exactly (0.875) match to rounding.
"""

import numpy as np

from dlcourse.checks import check_array


class Optimizer:
    """Shared part: learning rate, step counter, state made on the first step."""

    def __init__(self, learning_rate):
        if not learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.learning_rate = float(learning_rate)
        self.t = 0
        self.state = None

    def step(self, w, g):
        """Return ``w`` after one update with gradient ``g``."""
        w = check_array("w", w, dtype_kind="f")
        g = check_array("gradient", g, shape=w.shape, dtype_kind="f")
        if self.state is None:
            self.state = self.init_state(w)
        self.t += 1
        return self.update(w, g, self.learning_rate)

    def init_state(self, w):
        return {}


class SGD(Optimizer):
    """Plain gradient descent: w <- w - lr * g."""

    def update(self, w, g, lr):
        return w - lr * g


class Momentum(Optimizer):
    """Heavy-ball momentum, Keras form: m <- beta*m - lr*g ; w <- w + m (beta = ``momentum``).

    The decks write v <- gamma*v + lr*g ; w <- w - v: the same with gamma = beta, v = -m.
    """

    def __init__(self, learning_rate, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = momentum

    def init_state(self, w):
        return {"m": np.zeros_like(w)}

    def update(self, w, g, lr):
        m = self.momentum * self.state["m"] - lr * g
        self.state["m"] = m
        return w + m


class Nesterov(Momentum):
    """Nesterov momentum in Keras's (Sutskever/Bengio) form, with the gradient at w.

    m <- beta*m - lr*g ; w <- w + beta*m - lr*g. The textbook form takes the gradient
    at the look-ahead point w + beta*m (the deck's w - gamma*v); storing that point
    as the parameters makes it the gradient at w.
    """

    def update(self, w, g, lr):
        m = self.momentum * self.state["m"] - lr * g
        self.state["m"] = m
        return w + self.momentum * m - lr * g


class Adagrad(Optimizer):
    """G <- G + g^2 ; w <- w - lr*g / sqrt(G + eps). Keras starts G at 0.1, not 0."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, epsilon=1e-7):
        super().__init__(learning_rate)
        self.initial = initial_accumulator_value
        self.epsilon = epsilon

    def init_state(self, w):
        return {"G": np.full_like(w, self.initial)}

    def update(self, w, g, lr):
        self.state["G"] = self.state["G"] + g**2
        return w - lr * g / np.sqrt(self.state["G"] + self.epsilon)


class Adadelta(Optimizer):
    """Zeiler's Adadelta: the step is scaled by RMS[dw]/RMS[g].

    E[g^2] <- rho*E[g^2] + (1-rho)*g^2 ; dw = -sqrt(E[dw^2]+eps)/sqrt(E[g^2]+eps) * g
    E[dw^2] <- rho*E[dw^2] + (1-rho)*dw^2 ; w <- w + lr*dw (the paper has lr = 1).
    """

    def __init__(self, learning_rate, rho=0.95, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def init_state(self, w):
        return {"Eg2": np.zeros_like(w), "Edw2": np.zeros_like(w)}

    def update(self, w, g, lr):
        rho, eps, s = self.rho, self.epsilon, self.state
        s["Eg2"] = rho * s["Eg2"] + (1 - rho) * g**2
        dw = -np.sqrt(s["Edw2"] + eps) / np.sqrt(s["Eg2"] + eps) * g
        s["Edw2"] = rho * s["Edw2"] + (1 - rho) * dw**2
        return w + lr * dw


class RMSProp(Optimizer):
    """E[g^2] <- rho*E[g^2] + (1-rho)*g^2 ; w <- w - lr*g / sqrt(E[g^2] + eps)."""

    def __init__(self, learning_rate, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate)
        self.rho = rho
        self.epsilon = epsilon

    def init_state(self, w):
        return {"Eg2": np.zeros_like(w)}

    def update(self, w, g, lr):
        self.state["Eg2"] = self.rho * self.state["Eg2"] + (1 - self.rho) * g**2
        return w - lr * g / np.sqrt(self.state["Eg2"] + self.epsilon)


class Adam(Optimizer):
    """Adam with bias correction, in the paper's efficient form that Keras uses.

    m <- b1*m + (1-b1)*g ; v <- b2*v + (1-b2)*g^2
    w <- w - lr_t * m / (sqrt(v) + eps_hat),  lr_t = lr*sqrt(1-b2^t)/(1-b1^t).
    This equals lr * m_hat / (sqrt(v_hat) + eps) with eps = eps_hat/sqrt(1-b2^t).
    """

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def init_state(self, w):
        return {"m": np.zeros_like(w), "v": np.zeros_like(w)}

    def update(self, w, g, lr):
        b1, b2, s = self.beta_1, self.beta_2, self.state
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g**2
        lr_t = lr * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        return w - lr_t * s["m"] / (np.sqrt(s["v"]) + self.epsilon)


OPTIMIZERS = {
    "SGD": SGD,
    "momentum": Momentum,
    "Nesterov": Nesterov,
    "Adagrad": Adagrad,
    "Adadelta": Adadelta,
    "RMSProp": RMSProp,
    "Adam": Adam,
}


def make_optimizer(name, learning_rate, momentum=0.9):
    """Build an optimiser by name; ``momentum`` is used by momentum and Nesterov."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {list(OPTIMIZERS)}")
    if name in ("momentum", "Nesterov"):
        return OPTIMIZERS[name](learning_rate, momentum=momentum)
    return OPTIMIZERS[name](learning_rate)


def keras_optimizer(name, learning_rate, momentum=0.9):
    """The Keras optimiser with the same hyper-parameters as ``make_optimizer``.

    It is built with float64 as Keras's default float, so that its learning rate is
    stored exactly (as float32, 0.1 becomes 0.10000000149).
    """
    import keras

    opt = keras.optimizers
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        return {
            "SGD": lambda: opt.SGD(learning_rate),
            "momentum": lambda: opt.SGD(learning_rate, momentum=momentum),
            "Nesterov": lambda: opt.SGD(learning_rate, momentum=momentum, nesterov=True),
            "Adagrad": lambda: opt.Adagrad(learning_rate),
            "Adadelta": lambda: opt.Adadelta(learning_rate),
            "RMSProp": lambda: opt.RMSprop(learning_rate),
            "Adam": lambda: opt.Adam(learning_rate),
        }[name]()
    finally:
        keras.config.set_floatx(floatx)


def run_keras(optimizer, grad_fn, w0, steps):
    """Run a Keras optimiser on a float64 variable; return the iterates (steps+1, ...)."""
    import keras

    w = keras.Variable(np.array(w0, dtype=np.float64), dtype="float64")
    path = [np.array(w0, dtype=np.float64)]
    for _ in range(steps):
        g = grad_fn(np.asarray(w.numpy()))
        optimizer.apply_gradients([(keras.ops.convert_to_tensor(g, dtype="float64"), w)])
        path.append(np.array(w.numpy()))
    return np.array(path)


def run_numpy(optimizer, grad_fn, w0, steps):
    """Run a from-scratch optimiser; return the iterates (steps+1, ...)."""
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _ in range(steps):
        w = optimizer.step(w, grad_fn(w))
        path.append(w)
    return np.array(path)
