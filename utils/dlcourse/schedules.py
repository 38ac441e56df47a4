"""The decks' four learning-rate schedules, as functions of the step (or epoch) t."""

import numpy as np


def piecewise_constant(t, boundaries, values):
    """values[0] until boundaries[0], then values[1], ... (as Keras: t <= b keeps the old value)."""
    if len(values) != len(boundaries) + 1:
        raise ValueError(f"need one more value than boundaries, got {len(values)} and {len(boundaries)}")
    return float(values[int(np.searchsorted(boundaries, t, side="left"))])


def exponential(t, eta0, r):
    """eta0 * 10**(-t/r): the rate drops tenfold every r steps."""
    return eta0 * 10.0 ** (-t / r)


def power(t, eta0, r, c=1.0):
    """eta0 * (1 + t/r)**(-c): drops like 1/t for c = 1, slower than exponential."""
    return eta0 * (1 + t / r) ** (-c)


class Performance:
    """Performance scheduling: multiply the rate by ``factor`` when the monitored
    (validation) loss has not improved for ``patience`` checks in a row."""

    def __init__(self, eta0, factor=0.5, patience=2, min_delta=0.0):
        if not 0 < factor < 1:
            raise ValueError(f"factor must be in (0, 1), got {factor}")
        self.rate, self.factor, self.patience, self.min_delta = eta0, factor, patience, min_delta
        self.best, self.wait = np.inf, 0

    def update(self, loss):
        """Record one check of the loss; return the learning rate to use next."""
        if loss < self.best - self.min_delta:
            self.best, self.wait = loss, 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.rate *= self.factor
                self.wait = 0
        return self.rate


SCHEDULES = ["constant", "piecewise", "exponential", "power", "performance"]
