"""Checking helpers: numerical gradients, relative errors and answer validation.

These are the tools a student uses to check a derivation, and the tools the
graded tests use to give a readable message instead of a traceback.
"""

import numpy as np


def rel_error(a, b, eps=1e-12):
    """Largest elementwise relative error ``|a-b| / max(|a|+|b|, eps)``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), eps)))


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at array ``x``.

    Entry ``i`` is ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` with the step ``h``.
    ``x`` is changed in place one entry at a time and restored; use float64.
    """
    x = np.asarray(x)
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient needs a float64 array, got {x.dtype}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        f_plus = f(x)
        x[index] = saved - h
        f_minus = f(x)
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def check_array(name, value, shape=None, dtype_kind=None):
    """Raise a readable error unless ``value`` is an array of the expected shape.

    ``shape`` may use ``None`` for any size along an axis; ``dtype_kind`` is a
    NumPy kind string such as ``"f"`` (floats), ``"i"`` (integers) or ``"fi"``.
    Returns the value as an array.
    """
    if value is None:
        raise TypeError(f"{name} is None: did the function forget to `return` it?")
    if not isinstance(value, (np.ndarray, np.generic, list, tuple, int, float)):
        raise TypeError(f"{name} should be a NumPy array, got {type(value).__name__}")
    array = np.asarray(value)
    if shape is not None:
        fits = array.ndim == len(shape) and all(
            want is None or want == got for want, got in zip(shape, array.shape)
        )
        if not fits:
            sizes = ["any" if s is None else str(s) for s in shape]
            wanted = "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
            raise ValueError(f"{name} should have shape {wanted}, got {array.shape}")
    if dtype_kind is not None and array.dtype.kind not in dtype_kind:
        kinds = {"f": "floats", "i": "integers", "u": "unsigned integers", "b": "booleans"}
        wanted = " or ".join(kinds.get(k, k) for k in dtype_kind)
        raise TypeError(f"{name} should hold {wanted}, got dtype {array.dtype}")
    return array


def assert_close(name, value, expected, tol=1e-7):
    """Check shape, then relative error below ``tol``, with a readable message."""
    value = check_array(name, value, shape=np.shape(expected))
    error = rel_error(value, expected)
    if not error < tol:
        raise AssertionError(
            f"{name} is off: relative error {error:.2e} (needs < {tol:.0e}).\n"
            f"expected (first entries): {np.ravel(expected)[:5]}\n"
            f"got      (first entries): {np.ravel(value)[:5]}"
        )
    return error
