"""Initialisation schemes against Keras's initialisers, the deep-MLP backward pass
against numerical gradients, the variance derivations, and the histogram widget."""

from unittest import mock

import numpy as np
import pytest

from dlcourse import checks, figures, initializers as ini


def test_variances_match_keras_initializers():
    import keras

    fan_in, fan_out = 300, 200
    rng = np.random.default_rng(0)
    pairs = [
        ("xavier", "normal", keras.initializers.GlorotNormal(seed=1)),
        ("xavier", "uniform", keras.initializers.GlorotUniform(seed=1)),
        ("he", "normal", keras.initializers.HeNormal(seed=1)),
        ("he", "uniform", keras.initializers.HeUniform(seed=1)),
        ("lecun", "normal", keras.initializers.LecunNormal(seed=1)),
    ]
    for scheme, distribution, keras_init in pairs:
        ours = ini.init_weights(scheme, fan_in, fan_out, rng, distribution=distribution)
        theirs = np.asarray(keras_init((fan_in, fan_out)))
        assert ours.shape == (fan_in, fan_out)
        # 60,000 samples: the variance estimate is good to about 1%.
        assert abs(ours.var() / theirs.var() - 1) < 0.04, (scheme, distribution)
        assert abs(ours.mean()) < 0.01 * ours.std() * 10


def test_uniform_limit_is_sqrt_three_variance():
    rng = np.random.default_rng(0)
    w = ini.init_weights("he", 50, 40, rng, distribution="uniform")
    assert np.abs(w).max() <= np.sqrt(6 / 50)
    assert np.abs(w).max() > 0.95 * np.sqrt(6 / 50)


def test_zero_and_small_normal():
    rng = np.random.default_rng(0)
    assert not ini.init_weights("zeros", 5, 4, rng).any()
    w = ini.init_weights("normal", 400, 400, rng, std=0.01)
    assert abs(w.std() / 0.01 - 1) < 0.02


def test_bad_scheme_message():
    with pytest.raises(ValueError, match="unknown scheme"):
        ini.init_weights("glorot-ish", 3, 3, np.random.default_rng(0))


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_mlp_backward_matches_numerical_gradient(activation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 5))
    y = rng.integers(0, 3, size=7)
    params = ini.init_network([5, 6, 4, 3], "xavier", rng)
    params = [(w, rng.normal(size=b.shape) * 0.1) for w, b in params]
    logits, cache = ini.mlp_forward(x, params, activation)
    _, dlogits = ini.softmax_cross_entropy(logits, y)
    grads = ini.mlp_backward(dlogits, params, cache, activation)

    def loss(_):
        return ini.softmax_cross_entropy(ini.mlp_forward(x, params, activation)[0], y)[0]

    for (w, b), (dw, db) in zip(params, grads):
        assert checks.rel_error(dw, checks.numerical_gradient(loss, w)) < 1e-6
        assert checks.rel_error(db, checks.numerical_gradient(loss, b)) < 1e-6


def test_forward_matches_keras_dense_stack():
    import keras

    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6))
    params = ini.init_network([6, 5, 3], "he", rng)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3)])
    model.set_weights([a for layer in params for a in layer])
    ours, _ = ini.mlp_forward(x, params, "relu")
    assert checks.rel_error(ours, np.asarray(model(x))) < 1e-5


def _moments_per_layer(preset, activation, depth=8, width=500):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, width))
    y = rng.integers(0, 10, size=400)
    return ini.layer_statistics(x, y, depth, width, preset, activation)


def test_small_weights_shrink_activations_by_sigma_sqrt_n():
    # tanh(z) ~ z for tiny z, so each layer multiplies the std by 0.01 * sqrt(500).
    stats = _moments_per_layer("normal(0.01)", "tanh", depth=4)
    ratios = np.array(stats["act_std"][1:]) / np.array(stats["act_std"][:-1])
    assert np.allclose(ratios, 0.01 * np.sqrt(500), rtol=0.1)


def test_xavier_keeps_tanh_and_he_keeps_relu_alive():
    tanh = _moments_per_layer("xavier", "tanh")["act_std"]
    assert 0.2 < tanh[-1] < 1.0 and tanh[-1] > 0.3 * tanh[0]
    # He: E[z^2] is preserved, so the mean square of relu outputs is too.
    stats = _moments_per_layer("he", "relu")
    mean_square = [np.mean(a**2) for a in stats["activations"]]
    assert np.allclose(np.array(mean_square[1:]) / mean_square[:-1], 1.0, rtol=0.2)
    # Xavier with relu loses half the second moment per layer (fan_in = fan_out).
    stats = _moments_per_layer("xavier", "relu")
    mean_square = [np.mean(a**2) for a in stats["activations"]]
    assert np.allclose(np.array(mean_square[1:]) / mean_square[:-1], 0.5, rtol=0.2)


def test_zero_init_keeps_every_hidden_unit_identical():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 4))
    y = rng.integers(0, 2, size=20)
    result = ini.train_mlp(x, y, [4, 5, 5, 2], "zeros", "sigmoid", lr=0.5, iterations=50)
    for w, b in result["params"][:-1]:
        assert w.any()  # the weights move...
        assert np.allclose(w, w[:, :1]) and np.allclose(b, b[0])  # ...but as one unit
    # With relu, relu(0) = 0 and relu'(0) = 0: nothing below the output ever moves.
    result = ini.train_mlp(x, y, [4, 5, 5, 2], "zeros", "relu", lr=0.5, iterations=50)
    assert not any(w.any() for w, _ in result["params"])


def test_training_lowers_the_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    result = ini.train_mlp(x, y, [2, 8, 2], "he", "relu", lr=0.1, iterations=300)
    assert result["loss"][-1] < 0.8 * result["loss"][0]


def test_widget_logic_and_kernel(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse.initializers import histogram_widget, layer_statistics\n"
        "rng = np.random.default_rng(0)\n"
        "x = rng.normal(size=(100, 30)); y = rng.integers(0, 3, size=100)\n"
        "w = histogram_widget(x, y, width=30, examples=64)\n"
        "w.children[0].value = 'normal(0.01)'\n"
        "w.children[2].value = 3\n"
        "direct = layer_statistics(x[:64], y[:64], 3, 30, 'normal(0.01)', 'tanh')\n"
        "print(len(w.result['act_std']), np.allclose(w.result['act_std'], direct['act_std']))\n"
    )
    assert out.splitlines()[-1].split() == ["3", "True"]


def test_sideways_outline_is_the_histogram_turned_on_its_side():
    outline = ini.sideways_outline([0.0, 0.0, 1.0], position=3, bins=2)  # counts 2, 1; edges 0, 0.5, 1
    assert np.allclose(outline, [(2.6, 0), (2.6, 0.5), (2.8, 0.5), (2.8, 1),
                                 (3.2, 1), (3.2, 0.5), (3.4, 0.5), (3.4, 0)])
    empty = ini.sideways_outline([5.0], position=1, value_range=(-2, 2), bins=4)  # 5 lies outside [-2, 2]
    assert np.allclose(empty[:, 0], 1) and (empty[:, 1].min(), empty[:, 1].max()) == (-2, 2)


def test_histogram_widget_redraws_once_per_input_and_says_the_depth(capsys):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 6)), rng.integers(0, 3, size=40)
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = ini.histogram_widget(x, y, width=8, max_depth=5)
        for depth in (4, 2):
            w.children[2].value = depth
        w.children[1].value = "relu"
    assert draw.call_count == 1 + 3
    picture = w.children[3]  # between the controls and the printed output
    assert ('alt="xavier initialisation, relu, 2 hidden layers of 8 | activations, per layer | '
            'weight gradients dL/dW, per layer"') in picture.value
    fig = draw.call_args.args[0].fig
    assert [sum(patch.get_visible() for patch in ax.patches) for ax in fig.axes] == [2, 2]
    printed = capsys.readouterr().out.splitlines()
    assert printed[-2].split(":")[1].split() == [f"{std:.2g}" for std in w.result["act_std"]]
    assert printed[-1].split(":")[1].split() == [f"{std:.2g}" for std in w.result["grad_std"]]
    spread = fig.axes[0].lines[0].get_ydata()  # mean - std, mean + std of each layer
    assert np.allclose(spread[1::2] - spread[::2], 2 * np.array(w.result["act_std"]))


def test_snapped_limits_move_only_across_1_2_5_steps():
    # mean ± 3 std of [-1, 1] is ±3: the step above 3 is 5
    assert ini.snapped_limits([np.array([-1.0, 1.0]), np.array([0.1, 0.1])]) == (-5.0, 5.0)
    assert ini.snapped_limits([np.array([0.0, 0.1]), np.array([0.25])]) == (0.0, 0.5)  # never negative: 0.05 + 0.15
    assert ini.snapped_limits([np.array([1.7e-4])]) == (0.0, 2e-4)
    assert ini.snapped_limits([np.array([-3.0])]) == (-5.0, 5.0)
    assert ini.snapped_limits([np.array([2.0])]) == (0.0, 2.0)
    assert ini.snapped_limits([np.zeros(3)]) == (-1.0, 1.0)
    assert ini.snapped_limits([np.array([7.0])], fixed=1.05) == (-1.05, 1.05)


def test_histogram_widget_redraws_its_axes_only_when_a_scale_changes():
    from matplotlib.figure import Figure

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(128, 20)), rng.integers(0, 3, size=128)
    with mock.patch.object(Figure, "draw", autospec=True, side_effect=Figure.draw) as full_draws:
        w = ini.histogram_widget(x, y, width=64, max_depth=6)
        fig = full_draws.call_args.args[0]
        scales, changes = [[ax.get_ylim() for ax in fig.axes]], 0
        for depth in (5, 4, 3, 4, 5, 6, 2):
            w.children[2].value = depth
            scales.append([ax.get_ylim() for ax in fig.axes])
            changes += scales[-1] != scales[-2]
    assert full_draws.call_count == 1 + changes
    assert changes < 7  # some inputs kept both scales: only their histograms were redrawn
