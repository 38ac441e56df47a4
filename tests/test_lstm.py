"""NumPy LSTM/GRU against Keras on the same weights; the hand-wired memory LSTM."""

from unittest import mock

import numpy as np
import pytest

from dlcourse.checks import numerical_gradient, rel_error
from dlcourse.lstm import (MEMORY_TABLE, gate_trace, gru_forward, heat_map, lstm_backward, lstm_forward,
                           memory_lstm_weights, memory_table_inputs, nice_limits, parse_sequence,
                           soften_gates)


def keras_layer(kind, units, X, weights, dtype="float64", **kwargs):
    import keras

    layer = getattr(keras.layers, kind)(units, return_sequences=True, dtype=dtype, **kwargs)
    layer.build(X.shape)
    layer.set_weights(weights)
    return layer


def random_weights(rng, d, units, gates, bias_shape):
    return [rng.normal(size=(d, gates * units)) * 0.5,
            rng.normal(size=(units, gates * units)) * 0.5,
            rng.normal(size=bias_shape) * 0.5]


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-12), ("float32", 1e-6)])
def test_lstm_matches_keras(dtype, tol):
    import tensorflow as tf

    tf.config.experimental.enable_tensor_float_32_execution(False)  # exact float32 on GPUs too
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 9, 3))
    h0, c0 = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    weights = random_weights(rng, 3, 5, 4, (20,))
    layer = keras_layer("LSTM", 5, X, weights, dtype=dtype, return_state=True)
    H_k, h_k, c_k = (np.asarray(a, dtype=np.float64) for a in layer(X, initial_state=[h0, c0]))
    weights = [w.astype(dtype) for w in weights]  # what Keras actually holds
    H, C, _ = lstm_forward(X.astype(dtype), *weights, h0=h0.astype(dtype), c0=c0.astype(dtype))
    assert np.max(np.abs(H - H_k)) < tol
    assert np.max(np.abs(C[:, -1] - c_k)) < tol and np.max(np.abs(H[:, -1] - h_k)) < tol


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras_in_both_conventions(reset_after):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 8, 4))
    h0 = rng.normal(size=(3, 6))
    weights = random_weights(rng, 4, 6, 3, (2, 18) if reset_after else (18,))
    layer = keras_layer("GRU", 6, X, weights, reset_after=reset_after)
    expected = np.asarray(layer(X, initial_state=[h0]))
    H, _ = gru_forward(X, *weights, h0=h0, reset_after=reset_after)
    assert np.max(np.abs(H - expected)) < 1e-12


def test_gru_conventions_differ_on_the_same_numbers():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2, 6, 3))
    W, U, b = random_weights(rng, 3, 4, 3, (2, 12))
    after, _ = gru_forward(X, W, U, b, reset_after=True)
    before, _ = gru_forward(X, W, U, b.sum(axis=0), reset_after=False)
    assert np.max(np.abs(after - before)) > 1e-3
    # With a zero recurrent bias and the reset gate fully open the two agree.
    b_open = b.copy()
    b_open[:, 4:8] = [[0], [1000]]
    b_open[1, 8:] = 0
    after, _ = gru_forward(X, W, U, b_open, reset_after=True)
    before, _ = gru_forward(X, W, U, b_open.sum(axis=0), reset_after=False)
    np.testing.assert_allclose(after, before, atol=1e-12)


def random_lstm(seed, n=2, steps=5, d=3, units=4):
    """Inputs, initial states, non-square random weights and dL/dH of a small LSTM."""
    rng = np.random.default_rng(seed)
    X, h0, c0 = rng.normal(size=(n, steps, d)), rng.normal(size=(n, units)), rng.normal(size=(n, units))
    W, U, b = random_weights(rng, d, units, 4, (4 * units,))
    return X, h0, c0, W, U, b, rng.normal(size=(n, steps, units))


@pytest.mark.parametrize("initial_states", [True, False])
def test_lstm_backward_matches_numerical_gradients(initial_states):
    X, h0, c0, W, U, b, dH = random_lstm(5)
    if not initial_states:
        h0, c0 = np.zeros_like(h0), np.zeros_like(c0)

    def loss(_):  # L = sum(dH * H): every step feeds the loss
        return float(np.sum(dH * lstm_forward(X, W, U, b, h0=h0, c0=c0)[0]))

    grads = lstm_backward(dH, X, W, U, b, *((h0, c0) if initial_states else ()))
    for name, param in [("dX", X), ("dh0", h0), ("dc0", c0), ("dW", W), ("dU", U), ("db", b)]:
        assert grads[name].shape == param.shape, name
        assert rel_error(grads[name], numerical_gradient(loss, param)) < 1e-7, name


def test_lstm_backward_matches_tensorflow_autodiff_of_keras_lstm():
    import tensorflow as tf

    X, h0, c0, W, U, b, dH = random_lstm(6, n=3, steps=7, d=2, units=5)
    layer = keras_layer("LSTM", 5, X, [W, U, b])
    X_tf, h0_tf, c0_tf = tf.Variable(X), tf.Variable(h0), tf.Variable(c0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(dH * layer(X_tf, initial_state=[h0_tf, c0_tf]))
    expected = tape.gradient(loss, [X_tf, h0_tf, c0_tf, *layer.trainable_weights])
    grads = lstm_backward(dH, X, W, U, b, h0, c0)
    for name, want in zip(["dX", "dh0", "dc0", "dW", "dU", "db"], expected):
        assert rel_error(grads[name], np.asarray(want)) < 1e-9, name


def test_lstm_backward_explains_a_wrong_dH():
    X, h0, c0, W, U, b, dH = random_lstm(7)
    with pytest.raises(ValueError, match="dH"):
        lstm_backward(dH[:, :-1], X, W, U, b)


def test_soften_gates_scales_the_gates_and_shifts_only_the_forget_bias():
    X, _, _, W, U, b, _ = random_lstm(8, units=3)
    W2, U2, b2 = soften_gates(W, U, b, sharpness=3.0, forget_bias=1.5)
    gate_columns = np.r_[0:6, 9:12]
    for new, old in [(W2, W), (U2, U)]:
        np.testing.assert_array_equal(new[..., gate_columns], 3 * old[..., gate_columns])
        np.testing.assert_array_equal(new[..., 6:9], old[..., 6:9])  # the candidate g is untouched
    np.testing.assert_allclose(b2, np.r_[3 * b[:3], 3 * b[3:6] + 1.5, b[6:9], 3 * b[9:]])
    assert not np.shares_memory(W2, W) and np.array_equal(soften_gates(W, U, b)[2], b)
    _, _, gates = lstm_forward(X, W, U, b)
    _, _, sharp = lstm_forward(X, W2, U2, b2 - np.r_[0, 0, 0, 1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0])
    assert np.abs(sharp["i"] - 0.5).mean() > np.abs(gates["i"] - 0.5).mean()  # sharper: nearer 0 or 1


def test_soft_gates_leak_the_memory_and_a_forget_bias_keeps_it():
    X = memory_table_inputs()[0]
    W, U, b = memory_lstm_weights(scale=1.0)
    hard = gate_trace(X, *soften_gates(W, U, b, 2000), activation="linear")
    np.testing.assert_array_equal(hard["h"][:, 0], MEMORY_TABLE["y"])
    soft = gate_trace(X, *soften_gates(W, U, b, 3), activation="linear")
    kept = gate_trace(X, *soften_gates(W, U, b, 3, forget_bias=3), activation="linear")
    # step 4 (x2 = 0) keeps the 7 written before: a soft forget gate, sigmoid(1.5) = 0.82, leaks
    assert 0.80 < soft["f"][4, 0] < 0.83 and soft["c"][4, 0] < 6.5 < kept["c"][4, 0]
    assert kept["f"][4, 0] > 0.98


def test_hand_wired_lstm_reproduces_the_decks_table_exactly():
    W, U, b = memory_lstm_weights()
    trace = gate_trace(memory_table_inputs()[0], W, U, b, activation="linear")
    np.testing.assert_array_equal(trace["h"][:, 0], MEMORY_TABLE["y"])
    np.testing.assert_array_equal(trace["memory"][:, 0], MEMORY_TABLE["memory"])


def test_keras_lstm_with_the_hand_wired_weights_reproduces_the_table():
    X = memory_table_inputs()
    layer = keras_layer("LSTM", 1, X, list(memory_lstm_weights()), dtype="float32",
                        activation="linear")
    np.testing.assert_array_equal(np.asarray(layer(X))[0, :, 0], MEMORY_TABLE["y"])


def test_memory_lstm_adds_resets_and_outputs_on_a_new_sequence():
    rng = np.random.default_rng(3)
    x1 = rng.integers(-9, 10, size=30).astype(float)
    x2 = rng.choice([-1.0, 0.0, 1.0], size=30)
    x3 = rng.choice([0.0, 1.0], size=30)
    memory, expected = 0.0, []
    for a, add, show in zip(x1, x2, x3):  # the rule of the slide, in plain Python
        memory = 0.0 if add == -1 else memory + a * (add == 1)
        expected.append(memory if show == 1 else 0.0)
    W, U, b = memory_lstm_weights()
    trace = gate_trace(np.stack([x1, x2, x3], axis=1), W, U, b, activation="linear")
    np.testing.assert_array_equal(trace["h"][:, 0], expected)


def test_bad_weights_and_sequences_are_explained():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 3, 3))
    W, U, b = random_weights(rng, 3, 5, 4, (20,))
    with pytest.raises(ValueError, match="recurrent kernel"):
        lstm_forward(X, W, U[:, :10], b)
    with pytest.raises(ValueError, match="shape"):
        lstm_forward(X[:, :, :2], W, U, b)
    with pytest.raises(ValueError, match="reset_after=True"):
        gru_forward(X, W[:, :15], U[:, :15], b[:15], reset_after=True)
    with pytest.raises(ValueError, match="same number"):
        parse_sequence("1 2 3\n1 2\n0 0 0", 3)
    with pytest.raises(ValueError, match="3 lines"):
        parse_sequence("1 2 3", 3)
    with pytest.raises(ValueError, match="finite"):
        parse_sequence("1 2\n0 1e999\n0 0", 3)


def test_heat_map_writes_white_on_dark_and_black_on_light():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    heat_map(ax, np.array([[0.0, 1.0]]), ["gate"], "gates", "viridis", 0, 1)
    assert [(t.get_text(), t.get_color()) for t in ax.texts] == [("0", "white"), ("1", "black")]


def test_gate_widget_steps_through_the_table(kernel):
    out = kernel.run(
        "import matplotlib; matplotlib.use('Agg')\n"
        "from dlcourse.lstm import gate_activation_widget\n"
        "w = gate_activation_widget()\n"
        "w.children[1].value = 5\n"
        "r = w.result['at_step']\n"
        "print('RESULT', r['h'][0], r['o'][0], r['memory'][0])\n"
        "w.children[0].value = '5 1\\n1 0\\n0 1'\n"
        "print('RESULT', w.result['step'], w.result['trace']['h'][:, 0].tolist())\n"
        "w.children[0].value = '5 x\\n1 0\\n0 1'\n"
        "print('RESULT', w.result)\n"
        "w.children[0].value = '5 1\\n1 0\\n0'\n"  # half typed: the last line is short
        "print('RESULT', w.result, w.children[0].continuous_update)\n"
    )
    results = [line.split(maxsplit=1)[1] for line in out.splitlines() if line.startswith("RESULT")]
    assert results == ["7.0 1.0 7.0", "1 [0.0, 5.0]", "None", "None True"]
    assert out.count("Cannot read the sequence") == 2
    assert "{" not in out  # nothing but the messages printed: no dictionary of values under the plot


def test_gate_widget_redraws_once_per_input_and_says_the_step():
    from dlcourse import figures
    from dlcourse.lstm import gate_activation_widget

    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = gate_activation_widget()
        sequence, step = w.children[:2]
        picture = w.children[-2]
        sequence.value = "7" + sequence.value  # the browser test's key press
        typed = picture.value
        step.value = 5
        stepped = picture.value
        sequence.value = "5 1\n1 0\n0 1"  # two steps: step 5 shows the last one
        sequence.value = "5 x\n1 0\n0 1"  # unreadable: a message and no new picture
    assert draw.call_count == 1 + 3
    assert 'alt="inputs; x at step 0 = [71, 0, 0] | gates i, f, o' in typed
    assert "| cell state and output at step 5: c = [7.0]" in stepped
    assert "inputs; x at step 1 = [1, 0, 1]" in picture.value and "step 1: c = [5.0]" in picture.value
    fig = draw.call_args.args[0].fig
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), [[5, 1], [1, 0], [0, 1]])
    assert [t.get_text() for t in fig.axes[2].texts] == ["5", "1"]



def test_gate_widget_redraws_only_what_changed_yet_shows_what_a_full_redraw_shows():
    from dlcourse import figures
    from dlcourse.lstm import gate_activation_widget

    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = gate_activation_widget()
    canvas = draw.call_args.args[0].fig.canvas

    def drawn_as_in_full():
        shown = np.asarray(canvas.buffer_rgba()).copy()
        canvas.changed()
        canvas.draw()
        return np.array_equal(shown, np.asarray(canvas.buffer_rgba()))

    w.children[1].value = 4  # redraws the step's lines and titles
    assert drawn_as_in_full()
    w.children[0].value = w.children[0].value.replace("3", "30", 1)  # and the maps' cells and the curves
    assert drawn_as_in_full()
    w.children[0].value = "9" + w.children[0].value  # a new x1 at step 0: the gates' layer stays
    assert drawn_as_in_full()
    w.children[2].value = 3  # soft gates: every layer
    assert drawn_as_in_full()
    w.children[3].value = 2.0
    assert drawn_as_in_full()


def test_gate_widget_sliders_soften_the_gates_and_say_so():
    from dlcourse.lstm import gate_activation_widget

    w = gate_activation_widget()
    sequence, step, sharpness, forget_bias, picture = w.children[:5]
    assert [c.description for c in w.children[:4]] == ["inputs", "step", "sharpness", "forget bias"]
    assert sharpness.value == 2000 and forget_bias.value == 0
    assert "gates i, f, o (0 = closed, 1 = open) sharpness 2000, forget bias 0.0" in picture.value
    sharpness.value = 3
    forget_bias.value = -0.5
    assert "sharpness 3, forget bias -0.5" in picture.value
    f = w.result["trace"]["f"][:, 0]
    assert 0.7 < f[4] < 0.8  # sigmoid(3 * 0.5 - 0.5): the memory leaks a quarter per step
    step.value = 5
    assert w.result["at_step"]["c"][0] < 5  # the table's 7 has leaked away


def test_gate_widget_on_given_weights_scales_them_around_one():
    from dlcourse.lstm import gate_activation_widget

    X, _, _, W, U, b, _ = random_lstm(9, steps=6, d=3, units=2)
    w = gate_activation_widget(W, U, b, X=X[0])
    sharpness, forget_bias = w.children[2:4]
    assert sharpness.value == 1 and 1 not in (sharpness.options[0][1], sharpness.options[-1][1])
    shown = parse_sequence(w.children[0].value, 3)  # the text box's numbers, to 6 digits
    np.testing.assert_allclose(w.result["trace"]["h"], gate_trace(shown, W, U, b)["h"])
    sharpness.value, forget_bias.value = 0.5, 1.5
    np.testing.assert_allclose(w.result["trace"]["f"], gate_trace(shown, *soften_gates(W, U, b, 0.5, 1.5))["f"])


def test_nice_limits_hold_the_values_and_zero_and_ignore_small_changes():
    assert nice_limits([0.0, 7.0]) == nice_limits([0.0, 6.9]) == (-0.4, 8.4)
    low, high = nice_limits([-0.03, 0.2])
    assert np.isclose(low, -0.03 - 0.0115) and np.isclose(high, 0.2 + 0.0115)
    assert nice_limits([2.0, 3.0])[0] < 0 < nice_limits([-3.0, -2.0])[1]  # 0 stays in view
    assert nice_limits(np.zeros((3, 2))) == (-1.1, 1.1)
