"""Learning-rate schedules against Keras's schedules and callback."""

import numpy as np
import pytest

from dlcourse import schedules

keras = pytest.importorskip("keras")
STEPS = np.arange(0, 300, 7)


def test_piecewise_matches_keras():
    ref = keras.optimizers.schedules.PiecewiseConstantDecay([50, 120], [0.1, 0.01, 0.001])
    for t in list(STEPS) + [50, 51, 120, 121]:
        assert schedules.piecewise_constant(t, [50, 120], [0.1, 0.01, 0.001]) == pytest.approx(float(ref(t)), rel=1e-6)
    with pytest.raises(ValueError, match="one more value"):
        schedules.piecewise_constant(3, [50], [0.1])


def test_exponential_matches_keras_and_drops_tenfold_every_r():
    ref = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=40, decay_rate=0.1)
    for t in STEPS:
        assert schedules.exponential(t, 0.1, 40) == pytest.approx(float(ref(t)), rel=1e-5)
    assert schedules.exponential(80, 0.1, 40) == pytest.approx(0.001)


def test_power_c1_matches_keras_inverse_time_and_is_slower_than_exponential():
    ref = keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=40, decay_rate=1.0)
    for t in STEPS:
        assert schedules.power(t, 0.1, 40) == pytest.approx(float(ref(t)), rel=1e-5)
    assert schedules.power(200, 0.1, 40) > schedules.exponential(200, 0.1, 40)


def test_performance_matches_reduce_lr_on_plateau():
    """Same losses through Keras's ReduceLROnPlateau give the same rates."""
    losses = [1.0, 0.8, 0.81, 0.79, 0.8, 0.85, 0.9, 0.7, 0.71, 0.72, 0.73, 0.74]
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    callback = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_delta=0.0, cooldown=0, min_lr=0.0)
    callback.set_model(model)
    callback.on_train_begin()
    ours = schedules.Performance(0.1, factor=0.5, patience=2)
    for epoch, loss in enumerate(losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        assert ours.update(loss) == pytest.approx(float(model.optimizer.learning_rate), rel=1e-6)
    assert ours.rate < 0.1
