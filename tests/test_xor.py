"""The hand-set XOR networks of lesson 04 and the logic behind its decision-regions widget."""

from unittest import mock

import numpy as np
import pytest
from scipy.special import expit

from dlcourse import figures
from dlcourse.xor import (
    SIGMOID_XOR, SIGN_INPUTS, SIGN_TARGETS, SIGN_XOR, SIGN_XOR_AS_PRINTED, XOR_INPUTS,
    XOR_TARGETS, decision_regions, evaluate_xor, params_from_values, xor_net, xor_widget,
)


def test_sigmoid_construction_computes_or_nand_and_and():
    x1, x2 = XOR_INPUTS.T
    hidden, out = xor_net(XOR_INPUTS, SIGMOID_XOR, "sigmoid")
    h_or, h_nand = expit(20 * x1 + 20 * x2 - 10), expit(-20 * x1 - 20 * x2 + 30)
    assert np.allclose(hidden, np.column_stack([h_or, h_nand]), rtol=1e-12)
    assert np.allclose(out, expit(20 * h_or + 20 * h_nand - 30), rtol=1e-12)
    assert np.array_equal(np.round(hidden[:, 0]), np.logical_or(x1, x2))
    assert np.array_equal(np.round(hidden[:, 1]), ~np.logical_and(x1, x2))
    assert np.array_equal(np.round(out), np.logical_xor(x1, x2))
    assert np.all(np.abs(out - XOR_TARGETS) < 1e-4)


def test_sigmoid_construction_matches_a_keras_network_with_the_same_weights():
    from dlcourse import runtime

    keras = runtime.setup_keras(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="sigmoid"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.set_weights([SIGMOID_XOR[k] for k in ("W1", "b1", "W2", "b2")])
    _, out = xor_net(XOR_INPUTS, SIGMOID_XOR)
    assert np.allclose(model.predict(XOR_INPUTS, verbose=0)[:, 0], out, atol=1e-6)


def test_sign_construction_reproduces_the_slide_table_and_the_printed_formula_does_not():
    # the slide's table: its a1, h1, a2, h2, o columns (our z1, h1, z2, h2, z3) for the
    # points (1/2|3/2, 1/2|3/2)
    z1, h1 = [-0.5, 0.5, 0.5, 1.5], [-1, 1, 1, 1]
    z2, h2 = [-1.5, -0.5, -0.5, 0.5], [-1, -1, -1, 1]
    z3 = [-1, 1, 1, -1]
    pre = SIGN_INPUTS @ SIGN_XOR["W1"] + SIGN_XOR["b1"]
    hidden, out = xor_net(SIGN_INPUTS, SIGN_XOR, "sign")
    assert np.allclose(pre, np.column_stack([z1, z2]))
    assert np.array_equal(hidden, np.column_stack([h1, h2]))
    assert np.allclose(hidden @ SIGN_XOR["W2"][:, 0] + SIGN_XOR["b2"], z3)
    assert np.array_equal(out, SIGN_TARGETS)
    _, printed = xor_net(SIGN_INPUTS, SIGN_XOR_AS_PRINTED, "sign")
    assert np.array_equal(printed, [-1, -1, -1, 1])  # o = h1 + h2 - 1 computes AND, not XOR


def test_evaluate_xor_scores_constructions():
    assert evaluate_xor(SIGMOID_XOR, "sigmoid")["solves_xor"]
    assert evaluate_xor(SIGN_XOR, "sign")["solves_xor"]
    assert evaluate_xor(SIGN_XOR_AS_PRINTED, "sign")["accuracy"] == 0.25
    single_line = params_from_values(20, 0, 20, 0, -10, 0, 20, 0, -10)  # only the OR unit
    result = evaluate_xor(single_line, "sigmoid")
    assert not result["solves_xor"] and result["accuracy"] == 0.75


def test_params_from_values_puts_each_number_in_its_place():
    params = params_from_values(1, 2, 3, 4, 5, 6, 7, 8, 9)
    x = np.array([[1.0, 0.0]])  # picks row 0 of W1: the weights from input 1
    assert np.array_equal(x @ params["W1"], [[1, 2]])
    assert np.array_equal(params["b1"], [5, 6]) and np.array_equal(params["W2"], [[7], [8]])
    assert np.array_equal(params["b2"], [9])


@pytest.mark.parametrize("params, unit", [(SIGMOID_XOR, "sigmoid"), (SIGN_XOR, "sign")])
def test_decision_regions_agree_with_the_network_pointwise(params, unit):
    grid_x, grid_y, classes = decision_regions(params, unit, extent=(-0.5, 2.0), resolution=26)
    assert grid_x.shape == grid_y.shape == classes.shape == (26, 26)
    rng = np.random.default_rng(0)
    for i, j in rng.integers(0, 26, size=(20, 2)):
        _, out = xor_net(np.array([[grid_x[i, j], grid_y[i, j]]]), params, unit)
        expected = int(out[0] >= 0.5) if unit == "sigmoid" else int(np.where(out[0] >= 0, 1, -1))
        assert classes[i, j] == expected
    assert set(np.unique(classes)) == ({0, 1} if unit == "sigmoid" else {-1, 1})


def test_bad_inputs_give_readable_messages():
    with pytest.raises(ValueError, match="unit must be one of"):
        xor_net(XOR_INPUTS, SIGMOID_XOR, "relu")
    with pytest.raises(ValueError, match=r"X should have shape \(any, 2\)"):
        xor_net(np.zeros((4, 3)), SIGMOID_XOR)
    with pytest.raises(ValueError, match=r"W2 should have shape \(2, 1\)"):
        xor_net(XOR_INPUTS, {**SIGMOID_XOR, "W2": np.ones(2)})


def test_widget_reports_what_the_sliders_set(kernel):
    out = kernel.run(
        "from dlcourse.xor import xor_widget\n"
        "w = xor_widget()\n"
        "print(w.result['solves_xor'])\n"
        "sliders = {c.description: c for c in w.children[:-1]}\n"
        "sliders['v2'].value = 0.0\n"
        "print(w.result['solves_xor'], w.result['accuracy'])\n"
        "sliders['unit'].value = 'sign'\n"
        "print(w.result['predicted'].tolist())\n"
    )
    first, second, third = out.strip().splitlines()
    assert first == "True"
    params = params_from_values(20, -20, 20, -20, -10, 30, 20, 0, -30)
    expected = evaluate_xor(params, "sigmoid")
    assert second == f"{expected['solves_xor']} {expected['accuracy']}"
    assert third == str([int(v) for v in evaluate_xor(params, "sign")["predicted"]])


def test_widget_redraws_once_per_input_and_says_the_unit():
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = xor_widget()
        controls = {c.description: c for c in w.kwargs_widgets}
        controls["unit"].value = "sign"
        controls["v2"].value = 0.0
    assert draw.call_count == 1 + 2
    assert figures.figure_problems(draw.call_args.args[0].fig) == []  # titled, axes labelled
    picture = w.children[-2]  # between the controls and the printed output
    assert ('alt="sign units: 50% of XOR right (orange: class 1, blue: class -1; o label 1, x label -1)"'
            in picture.value)
    circles, crosses = draw.call_args.args[0].fig.axes[0].collections[:2]
    assert np.array_equal(circles.get_offsets(), SIGN_INPUTS[SIGN_TARGETS > 0])
    assert np.array_equal(crosses.get_offsets(), SIGN_INPUTS[SIGN_TARGETS < 0])
