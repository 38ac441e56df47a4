"""The perceptron module: sign(0) = +1 and the margin rule for mistakes, sign updates,
convergence on separable data only, the sigmoid neuron's gradient against a numerical
gradient, y_hat = wx against least squares."""

import numpy as np
import pytest
from sklearn.linear_model import Perceptron

from dlcourse import perceptron as P
from dlcourse.activations import sigmoid
from dlcourse.checks import numerical_gradient, rel_error

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_update_only_on_mistakes_and_moves_towards_label():
    w = np.array([0.0, 1.0, -1.0])
    same, mistake = P.perceptron_update(w, np.array([2.0, 1.0]), 1)
    assert not mistake and np.array_equal(same, w)
    new, mistake = P.perceptron_update(w, np.array([1.0, 2.0]), 1, lr=0.5)
    assert mistake
    np.testing.assert_allclose(new, w + 0.5 * np.array([1.0, 1.0, 2.0]))
    # after the update the score of that example has grown
    assert new @ [1, 1, 2] > w @ [1, 1, 2]


def test_sign_of_zero_is_plus_one_but_a_zero_margin_is_a_mistake():
    w = np.array([0.0, 1.0, -1.0])
    X = np.array([[1.0, 1.0], [2.0, 1.0], [1.0, 2.0]])  # scores 0, 1, -1
    np.testing.assert_array_equal(P.perceptron_predict(w, X), [1, 1, -1])
    for label in (-1, 1):  # margin y z = 0 is a mistake for either label
        new, mistake = P.perceptron_update(w, X[0], label)
        assert mistake
        np.testing.assert_allclose(new, w + label * np.array([1.0, 1.0, 1.0]))


def test_update_rejects_bad_input():
    with pytest.raises(ValueError, match=r"should have shape \(3,\)"):
        P.perceptron_update(np.zeros(2), np.ones(2), 1)
    with pytest.raises(ValueError, match="labels must be -1 or \\+1"):
        P.perceptron_update(np.zeros(3), np.ones(2), 0)


@pytest.mark.parametrize("labels", [[-1, -1, -1, 1], [-1, 1, 1, 1]], ids=["AND", "OR"])
def test_converges_on_separable_gates(labels):
    labels = np.array(labels)
    run = P.train_perceptron(CORNERS, labels)
    assert run["converged"]
    np.testing.assert_array_equal(P.perceptron_predict(run["w"], CORNERS), labels)


def test_never_converges_on_xor():
    run = P.train_perceptron(CORNERS, np.array([-1, 1, 1, -1]), max_epochs=50)
    assert not run["converged"] and min(run["mistakes"]) > 0
    assert len(run["history"]) == 1 + 50 * 4


def test_matches_scikit_learn_perceptron_on_separable_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    y = np.where(X @ [1.5, -2.0] + 0.3 > 0, 1, -1)
    run = P.train_perceptron(X, y, max_epochs=200)
    reference = Perceptron(alpha=0, shuffle=False, max_iter=200, tol=None).fit(X, y)
    assert run["converged"]
    # scikit-learn predicts -1 at a score of exactly 0, ours +1: no score here is 0
    assert np.all(P.add_bias(X) @ run["w"] != 0) and np.all(reference.decision_function(X) != 0)
    np.testing.assert_array_equal(P.perceptron_predict(run["w"], X), reference.predict(X))


def test_sigmoid_neuron_gradient_matches_numerical():
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, w, b, y = rng.normal(size=3), rng.normal(size=3), rng.normal(), rng.uniform()
        step = P.sigmoid_neuron_step(w, b, x, y, lr=0.5)
        loss = lambda v: 0.5 * (sigmoid(v[0] + v[1:] @ x) - y) ** 2
        numeric = numerical_gradient(loss, np.concatenate([[b], w]))
        assert rel_error(np.concatenate([[step["grad_b"]], step["grad_w"]]), numeric) < 1e-7
        np.testing.assert_allclose(step["w"], w - 0.5 * step["grad_w"])
        assert step["z"] == pytest.approx(b + w @ x)
        assert step["y_hat"] == pytest.approx(float(sigmoid(b + w @ x)))
        assert step["loss"] == pytest.approx(loss(np.concatenate([[b], w])))


def test_fit_wx_reaches_least_squares_and_diverges_with_large_lr():
    x = np.array([10, 2, 3.5, 1])
    y = np.array([10.1, 1.9, 3.4, 1.1])
    w_star = np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]
    assert P.least_squares_w(x, y) == pytest.approx(w_star)
    ws, losses = P.fit_wx(x, y, lr=0.02, steps=200)
    assert ws[-1] == pytest.approx(w_star, rel=1e-9)
    assert np.all(np.diff(losses) <= 1e-15)
    limit = 2 / np.mean(x ** 2)
    ws, _ = P.fit_wx(x, y, lr=1.05 * limit, steps=200)
    assert abs(ws[-1]) > 10 * abs(w_star)


def test_fit_wx_gradient_matches_numerical():
    x, y = np.array([1.0, -2.0, 3.0]), np.array([0.5, 1.0, -1.0])
    ws, _ = P.fit_wx(x, y, w0=0.3, lr=0.1, steps=1)
    analytic = (ws[0] - ws[1]) / 0.1
    numeric = numerical_gradient(lambda v: 0.5 * np.mean((y - v[0] * x) ** 2), np.array([0.3]))
    assert rel_error(analytic, numeric[0]) < 1e-7


def test_perceptron_widget_steps(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse.perceptron import perceptron_widget, train_perceptron\n"
        "X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([-1, -1, -1, 1])\n"
        "w = perceptron_widget(X, y)\n"
        "w.children[0].value = 4\n"
        "ref = train_perceptron(X, y)['history'][4]\n"
        "print(np.array_equal(w.result['w'], ref), w.result['step'], w.result['converged'])\n"
    )
    assert out.split() == ["True", "4", "True"]


def test_perceptron_widget_redraws_once_per_step_and_says_the_weights():
    from unittest import mock

    from dlcourse import figures

    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = P.perceptron_widget(CORNERS, np.array([-1, -1, -1, 1]))
        for step in (1, 2, 5):
            w.children[0].value = step
    assert draw.call_count == 1 + 3
    assert figures.figure_problems(draw.call_args.args[0].fig) == []  # titled, axes labelled
    picture = w.children[1]  # between the slider and the printed output
    assert 'alt="step 5: w = [-1. 1. 1.] (update)"' in picture.value  # describe() joins spaces
    boundary = draw.call_args.args[0].fig.axes[0].lines[0]
    assert np.allclose(boundary.get_xydata(), [[-1, 2], [2, -1]])  # -1 + x1 + x2 = 0
    w.children[0].value = 0
    assert len(draw.call_args.args[0].fig.axes[0].collections[2].get_offsets()) == 0  # nothing visited yet
