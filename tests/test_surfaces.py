"""Loss surfaces, trajectories and the learning-rate widget."""

import time

import numpy as np
import pytest

from dlcourse import checks, surfaces
from dlcourse.data import load_digits_split


@pytest.mark.parametrize("name", list(surfaces.SURFACES))
def test_surface_gradients_match_numerical(name):
    loss, grad, _, _ = surfaces.SURFACES[name]
    for w in np.random.default_rng(0).uniform(-1.5, 1.5, size=(5, 2)):
        assert checks.rel_error(grad(w), checks.numerical_gradient(loss, w.copy())) < 1e-6


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_softmax_gradient_matches_numerical(l2):
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(7, 4)), rng.integers(0, 3, 7)
    loss, grad, w0 = surfaces.softmax_problem(X, y, 3, l2=l2)
    w = rng.normal(size=w0.shape)
    assert checks.rel_error(grad(w), checks.numerical_gradient(loss, w.copy())) < 1e-6


def test_softmax_penalty_is_l2_times_squared_weights_not_bias():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(5, 4)), rng.integers(0, 3, 5)
    w = rng.normal(size=4 * 3 + 3)
    plain, _, _ = surfaces.softmax_problem(X, y, 3)
    penalised, _, _ = surfaces.softmax_problem(X, y, 3, l2=0.1)
    assert np.isclose(penalised(w) - plain(w), 0.1 * np.sum(w[:12] ** 2))


def test_diverged_fires_when_the_loss_grows_by_orders_of_magnitude():
    w = np.array([1.0, -2.0])
    assert not surfaces.diverged(5.0, 5.0 * 99, w)
    assert surfaces.diverged(5.0, 5.0 * 101, w)
    assert not surfaces.diverged(-2.0, -2.0 * 101, w)  # falling further is no divergence
    assert surfaces.diverged(-2.0, 200.0, w) == "the loss grew from -2 to 200"
    assert surfaces.diverged(5.0, 1.0, np.array([1.0, 2e6])) == "a parameter reached 2e+06"
    assert surfaces.diverged(5.0, np.inf, w) == "the loss overflowed"
    assert not surfaces.diverged(5.0, 5.0 * 101, w, growth=1000)
    assert surfaces.diverged(5.0, 1.0, np.array([1.0, 1e6]))
    assert surfaces.diverged(5.0, np.nan, w) and surfaces.diverged(5.0, 1.0, np.array([np.inf, 0.0]))
    with pytest.raises(ValueError, match="growth must be > 1"):
        surfaces.diverged(5.0, 1.0, w, growth=0.5)


def test_valley_converges_and_diverges_where_theory_says():
    """GD on curvature 10 is stable iff lr < 2/10."""
    ok = surfaces.trajectory("narrow valley", "SGD", 0.19, steps=200)
    bad = surfaces.trajectory("narrow valley", "SGD", 0.21, steps=400)
    assert ok["message"] == "" and ok["losses"][-1] < ok["losses"][0]
    assert "Diverged" in bad["message"] and np.all(np.isfinite(bad["path"]))


def test_widget_run_flags_a_rate_just_above_the_limit():
    """In the widget's 60 steps the loss at 0.21 grows ~10^5-fold without reaching |w| = 1e6:
    the growth rule, not the size limit, must call it diverged; 0.2 itself oscillates but does not grow."""
    for lr in (0.19, 0.2):
        assert surfaces.trajectory("narrow valley", "SGD", lr, steps=60)["message"] == ""
    bad = surfaces.trajectory("narrow valley", "SGD", 0.21, steps=60)
    assert "Diverged" in bad["message"] and "the loss grew" in bad["message"]
    assert bad["losses"][-1] > 100 * bad["losses"][0] and np.abs(bad["path"]).max() < 1e6
    assert {0.19, 0.2, 0.21} <= set(surfaces.LEARNING_RATES)


def test_penalised_softmax_shows_the_learning_rate_sketch():
    """Small L2 as the deck's recipe: a good rate ends lowest, a high one higher, a very high one diverges."""
    (X, y), _ = load_digits_split()
    loss, grad, w0 = surfaces.softmax_problem(X[:200], y[:200], 10, l2=1e-3)
    final = {lr: surfaces.optimize(loss, grad, w0, "SGD", lr, steps=60) for lr in (0.01, 1.0, 10.0, 100.0)}
    assert final[1.0]["losses"][-1] < final[10.0]["losses"][-1] < final[0.01]["losses"][-1]
    assert final[100.0]["message"] and not final[10.0]["message"]


def test_schedules_lower_the_rate():
    run = surfaces.trajectory("saddle", "SGD", 0.1, schedule="exponential", steps=50)
    assert run["rates"][0] == 0.1 and run["rates"][-1] < 0.02
    with pytest.raises(ValueError, match="unknown schedule"):
        surfaces.trajectory("saddle", "SGD", 0.1, schedule="cosine")


def test_one_setting_is_fast():
    """One slider move (surface + softmax regression on 500 digits) in under 200 ms; margin x5 for a loaded CPU."""
    (X, y), _ = load_digits_split()
    loss, grad, w0 = surfaces.softmax_problem(X[:500], y[:500], 10)
    started = time.perf_counter()
    surfaces.trajectory("Rosenbrock", "Adam", 0.1, steps=60)
    surfaces.optimize(loss, grad, w0, "Adam", 0.1, steps=60)
    seconds = time.perf_counter() - started
    print(f"one setting: {1000 * seconds:.0f} ms")
    assert seconds < 1.0


def test_widget_in_kernel(kernel):
    out = kernel.run(
        "from dlcourse.surfaces import lr_widget\n"
        "from dlcourse.data import load_digits_split\n"
        "(X, y), _ = load_digits_split()\n"
        "w = lr_widget(X[:500], y[:500])\n"
        "w.children[0].value = 5.0\n"
        "w.children[4].value = 'narrow valley'\n"
        "print('MSG', w.result['surface']['message'])\n"
        "print('ALT', 'Surface: Diverged at step' in w.children[5].value, 'Network: the loss went from' in w.children[5].value)\n"
        "w.children[0].value = 0.05\n"
        "print('LOSS', w.result['network']['losses'][0] > w.result['network']['losses'][-1])\n"
        "w.children[1].value = 'Adam'\n"
        "w.children[3].value = 'power'\n"
        "import numpy as np\n"
        "from dlcourse.surfaces import trajectory\n"
        "ref = trajectory('narrow valley', 'Adam', 0.05, 0.9, 'power', steps=60)['path']\n"
        "print('SAME', np.array_equal(w.result['surface']['path'], ref))\n"
    )
    assert "MSG Diverged" in out and "LOSS True" in out and "SAME True" in out and "ALT True True" in out


def test_widget_redraw_leaves_pyplot_alone(kernel):
    """JupyterLab 4.6 may send widget messages over a kernel subshell, so a redraw can run
    while a later cell draws with pyplot: it must neither take nor close that cell's figure."""
    out = kernel.run(
        "import matplotlib.pyplot as plt\n"
        "from dlcourse.surfaces import lr_widget\n"
        "from dlcourse.data import load_digits_split\n"
        "(X, y), _ = load_digits_split()\n"
        "w = lr_widget(X[:500], y[:500])\n"
        "plt.close('all')\n"
        "fig = plt.figure(); plt.plot([1, 2, 3])\n"  # a cell's figure, half drawn
        "w.children[0].value = 0.1\n"
        "w.children[2].value = 0.5\n"
        "print(plt.gcf() is fig, plt.get_fignums() == [fig.number], len(fig.axes), w.result['surface']['rates'][0],\n"
        "      w.children[0].style.description_width)\n"
        "plt.close('all')\n"
    )
    assert out.splitlines()[-1].split() == ["True", "True", "1", "0.1", "initial"]
