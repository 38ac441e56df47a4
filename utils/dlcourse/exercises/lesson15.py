"""Lesson 15's "your turn": the probabilities a language model samples from at a temperature."""

import numpy as np

from dlcourse.exercises import exercise


def _reference(logits, temperature):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@exercise(
    task="write temperature_probs(logits, temperature): softmax(logits / temperature) row by row, "
         "logits (N, V) -> probabilities (N, V)",
    right=lambda logits, temperature: _reference(logits, temperature),
    wrong=lambda logits, temperature: _reference(logits * temperature, 1.0),
    praise="dividing the logits by T sharpens the distribution for T < 1 and flattens it for T > 1",
)
def check_temperature_probs(temperature_probs):
    rng = np.random.default_rng(15)
    logits = rng.normal(size=(3, 5)) * 2
    logits[1] += 800  # rows far apart: a row's own maximum keeps exp finite
    for temperature in (0.5, 1.5):
        expected = _reference(logits, temperature)
        with np.errstate(all="ignore"):
            got = np.asarray(temperature_probs(logits.copy(), temperature), dtype=np.float64)
        if got.shape != expected.shape:
            return f"return one probability per logit, shape {expected.shape}, got {got.shape}"
        if np.allclose(got, expected, atol=1e-9):
            continue
        if not np.all(np.isfinite(got)):
            return "some probabilities are inf or nan: subtract each row's own maximum before exp"
        if np.allclose(got, _reference(logits * temperature, 1.0)):
            return "divide the logits by the temperature (T < 1 must sharpen), do not multiply"
        if not np.allclose(got.sum(axis=1), 1):
            return "each row must sum to 1: normalise after scaling by the temperature"
        plain = _reference(logits, 1.0)
        if np.allclose(got, plain):
            return "the temperature changes nothing yet: scale the logits by 1/T before the softmax"
        return f"not softmax(logits / T) yet at T = {temperature}: check which axis you normalise"
    return None
