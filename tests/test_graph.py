"""The decks' one-hidden-layer backprop example: gradients against numerical differences
and TensorFlow's autodiff, the corrected numbers, and the graph widget."""

from unittest import mock

import numpy as np
import pytest
from scipy.special import expit

from dlcourse import figures
from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.graph import (
    DECK_EXAMPLE, DECK_LEARNING_RATE, SLIDE_PRINTED, deck_notation, forward_backward, graph_widget, sgd_step,
)

PARAMS = ("x", "W1", "b1", "w2")


def random_example(seed, output):
    rng = np.random.default_rng(seed)
    return {"x": rng.normal(size=2), "target": float(rng.uniform(0.1, 0.9)),
            "W1": rng.normal(size=(2, 2)), "b1": rng.normal(size=2), "w2": rng.normal(size=2),
            "b2": float(rng.normal()), "output": output}


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
@pytest.mark.parametrize("seed", [None, 1, 2])
def test_gradients_match_numerical_gradients(output, seed):
    example = {**DECK_EXAMPLE, "output": output} if seed is None else random_example(seed, output)
    grads = forward_backward(**example)["grads"]
    for name in PARAMS:
        param = np.array(example[name], dtype=np.float64)
        numeric = numerical_gradient(
            lambda p: forward_backward(**{**example, name: p})["values"]["loss"], param)
        assert rel_error(grads[name], numeric) < 1e-7, name
    numeric_b2 = numerical_gradient(
        lambda p: forward_backward(**{**example, "b2": float(p[0])})["values"]["loss"],
        np.array([float(example["b2"])]))
    assert rel_error(grads["b2"], numeric_b2[0]) < 1e-7


@pytest.mark.parametrize("output", ["linear", "sigmoid"])
def test_gradients_match_tensorflow_autodiff(output):
    import tensorflow as tf

    example = random_example(3, output)
    tensors = {k: tf.Variable(np.asarray(example[k], dtype=np.float64)) for k in PARAMS + ("b2",)}
    with tf.GradientTape() as tape:
        h = tf.sigmoid(tf.linalg.matvec(tensors["W1"], tensors["x"], transpose_a=True) + tensors["b1"])
        z_out = tf.reduce_sum(h * tensors["w2"]) + tensors["b2"]
        if output == "linear":
            loss = 0.5 * (z_out - example["target"]) ** 2
        else:
            loss = tf.nn.sigmoid_cross_entropy_with_logits(tf.constant(example["target"], tf.float64), z_out)
    reference = tape.gradient(loss, tensors)
    result = forward_backward(**example)
    assert rel_error(result["values"]["loss"], loss.numpy()) < 1e-12
    for name, value in reference.items():
        assert rel_error(result["grads"][name], value.numpy()) < 1e-10, name


def test_deck_example_forward_pass_and_where_the_slide_went_wrong():
    values = forward_backward(**DECK_EXAMPLE)["values"]
    assert np.allclose(values["z"], [1.0, -1.5])  # the slide's a1, a2 (our z1, z2) are right
    assert np.allclose(values["h"], expit([1.0, -1.5]))
    # the slide printed sigmoid(-a) instead of sigmoid(a) for both hidden units
    assert np.allclose([SLIDE_PRINTED["h1"], SLIDE_PRINTED["h2"]], expit([-1.0, 1.5]), atol=5e-4)
    assert not np.allclose([SLIDE_PRINTED["h1"], SLIDE_PRINTED["h2"]], values["h"], atol=0.1)
    assert np.isclose(values["y_hat"], values["h"].sum() + 1.0)


def test_a_gradient_step_lowers_the_loss_and_the_slides_sign_raises_it():
    result = forward_backward(**DECK_EXAMPLE)
    before = result["values"]["loss"]
    step = sgd_step(DECK_EXAMPLE, result["grads"], DECK_LEARNING_RATE)
    assert forward_backward(**step)["values"]["loss"] < before
    slide_step = sgd_step(DECK_EXAMPLE, result["grads"], -DECK_LEARNING_RATE)  # w - eta (y - y_hat) ...
    assert forward_backward(**slide_step)["values"]["loss"] > before


def test_the_slides_output_updates_follow_from_its_numbers_with_the_wrong_sign():
    h1, h2, y_hat, y, eta = (SLIDE_PRINTED["h1"], SLIDE_PRINTED["h2"], SLIDE_PRINTED["y_hat"],
                             DECK_EXAMPLE["target"], DECK_LEARNING_RATE)
    for name, feature in (("w1", h1), ("w2", h2), ("w0", 1.0)):
        assert np.isclose(1 - eta * (y - y_hat) * feature, SLIDE_PRINTED[name], atol=5e-4)


def test_deck_notation_names_each_weight():
    # the deck's w_ji runs into hidden j from input i: its w12 is our W_21 = W1[1, 0]
    named = deck_notation(DECK_EXAMPLE)
    assert named == {"w1": 1, "w2": 1, "w0": 1, "w11": 1, "w12": 1, "w10": 0,
                     "w21": 0, "w22": 1, "w20": -2}


def test_sigmoid_output_with_cross_entropy_gives_y_hat_minus_y():
    example = random_example(4, "sigmoid")
    result = forward_backward(**example)
    assert np.isclose(result["grads"]["z_out"], result["values"]["y_hat"] - example["target"])


def test_bad_inputs_give_readable_messages():
    with pytest.raises(ValueError, match="label y must lie in"):
        forward_backward(**{**DECK_EXAMPLE, "target": 2.0, "output": "sigmoid"})
    with pytest.raises(ValueError, match=r"x should have shape \(2,\)"):
        forward_backward(**{**DECK_EXAMPLE, "x": np.zeros(3)})
    with pytest.raises(ValueError, match="output must be one of"):
        forward_backward(**DECK_EXAMPLE, output="relu")


def test_widget_shows_forward_backward_of_its_sliders(kernel):
    out = kernel.run(
        "from dlcourse.graph import graph_widget\n"
        "w = graph_widget()\n"
        "c = {k.description: k for k in w.children[:-1]}\n"
        "c['x1'].value = -1.2; c['label y'].value = 0.5; c['v2'].value = 2.0\n"
        "print(repr(w.result['values']['loss']), repr(float(w.result['grads']['W1'][1, 0])))\n"
        "c['output'].value = 'sigmoid'; c['label y'].value = 2.0\n"
        "print(w.result)\n"
    )
    first, second = out.strip().splitlines()[0], out.strip().splitlines()[-1]
    expected = forward_backward([-1.2, 0.5], 0.5, DECK_EXAMPLE["W1"], DECK_EXAMPLE["b1"],
                                [1.0, 2.0], DECK_EXAMPLE["b2"])
    assert first == f"{expected['values']['loss']!r} {float(expected['grads']['W1'][1, 0])!r}"
    assert second == "None"
    assert "label y must lie in [0, 1]" in out


def test_widget_redraws_once_per_input_and_says_the_output():
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = graph_widget()
        controls = {c.description: c for c in w.kwargs_widgets}
        controls["output"].value = "sigmoid"
        controls["label y"].value = 2.0  # outside [0, 1]: a message and no picture
    assert draw.call_count == 1 + 1
    assert figures.figure_problems(draw.call_args.args[0].fig) == []  # titled, axes labelled
    picture = w.children[-2]  # between the controls and the printed output
    assert 'alt="sigmoid output: values (black) and gradients dL/d(node) (vermilion)"' in picture.value
    expected = forward_backward(**{**DECK_EXAMPLE, "output": "sigmoid"})
    texts = [text.get_text() for text in draw.call_args.args[0].fig.axes[0].texts]
    assert f"{expected['values']['y_hat']:.4f}" in texts and f"{expected['grads']['y_hat']:+.4f}" in texts
