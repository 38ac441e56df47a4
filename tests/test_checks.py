"""The checking helpers that lessons and graded tests rely on."""

import numpy as np
import pytest

from dlcourse import checks


def test_numerical_gradient_matches_the_analytic_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    a = rng.normal(size=(3, 4))
    f = lambda v: np.sum(np.sin(v) * a) + np.sum(v ** 3)  # noqa: E731
    analytic = np.cos(x) * a + 3 * x ** 2
    numeric = checks.numerical_gradient(f, x.copy())
    assert checks.rel_error(numeric, analytic) < 1e-8


def test_numerical_gradient_restores_its_input_and_wants_float64():
    x = np.arange(4.0)
    checks.numerical_gradient(lambda v: np.sum(v ** 2), x)
    assert np.array_equal(x, np.arange(4.0))
    with pytest.raises(TypeError, match="float64"):
        checks.numerical_gradient(lambda v: v.sum(), np.ones(3, dtype=np.float32))


def test_rel_error_is_relative_and_refuses_mismatched_shapes():
    assert checks.rel_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert np.isclose(checks.rel_error([1e6], [1e6 + 2]), 2 / (2e6 + 2))
    assert checks.rel_error([0.0], [0.0]) == 0
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        checks.rel_error(np.ones(2), np.ones(3))


def test_check_array_says_which_shape_and_dtype_were_expected():
    with pytest.raises(ValueError, match=r"out should have shape \(any, 10\), got \(5, 3\)"):
        checks.check_array("out", np.zeros((5, 3)), shape=(None, 10))
    with pytest.raises(TypeError, match="should hold floats, got dtype int64"):
        checks.check_array("out", np.zeros(3, dtype=np.int64), dtype_kind="f")
    with pytest.raises(TypeError, match="forget to `return`"):
        checks.check_array("out", None)
    with pytest.raises(TypeError, match="NumPy array, got str"):
        checks.check_array("out", "text")
    with pytest.raises(ValueError, match=r"b should have shape \(3,\), got \(2,\)"):
        checks.check_array("b", np.zeros(2), shape=(3,))
    assert checks.check_array("out", [[1.0, 2.0]], shape=(1, 2), dtype_kind="f").shape == (1, 2)


def test_assert_close_reports_the_error_and_first_entries():
    assert checks.assert_close("y", [1.0, 2.0], [1.0, 2.0]) == 0
    with pytest.raises(AssertionError, match="relative error 3.33e-01"):
        checks.assert_close("y", [1.0, 2.0], [2.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        checks.assert_close("y", [1.0], [1.0, 2.0])
