"""dlcourse.conv against Keras, TensorFlow's gradients (tf.GradientTape), SciPy and numerical gradients."""

import numpy as np
import pytest
from scipy import signal

from dlcourse import conv
from dlcourse.checks import numerical_gradient, rel_error

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

RNG = np.random.default_rng(9)
CASES = [  # (N, H, W, C_in, C_out, KH, KW, stride, padding)
    (2, 7, 7, 3, 4, 3, 3, 1, "valid"),
    (2, 7, 9, 2, 3, 3, 3, 2, "same"),
    (1, 8, 6, 3, 2, 2, 3, (2, 1), "same"),
    (3, 9, 9, 1, 5, 4, 4, 3, "valid"),
    (2, 6, 7, 2, 3, 3, 2, 2, 1),
    (1, 5, 5, 4, 2, 5, 5, 1, 2),
    (2, 10, 8, 3, 3, 3, 3, 3, 2),
]


def keras_conv(x, w, b, stride, padding):
    """Keras Conv2D (float64) with the same weights; integer padding via ZeroPadding2D."""
    if isinstance(padding, int):
        x = keras.layers.ZeroPadding2D(padding, dtype="float64")(x)
        padding = "valid"
    layer = keras.layers.Conv2D(w.shape[3], w.shape[:2], strides=stride, padding=padding, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([w, b])
    return np.asarray(layer(x))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("impl", [conv.conv2d_naive, conv.conv2d_im2col])
def test_conv2d_matches_keras_conv2d(case, impl):
    n, h, w_, c_in, c_out, kh, kw, stride, padding = case
    x = RNG.standard_normal((n, h, w_, c_in))
    w = RNG.standard_normal((kh, kw, c_in, c_out))
    b = RNG.standard_normal(c_out)
    expected = keras_conv(x, w, b, stride, padding)
    got = impl(x, w, b, stride=stride, padding=padding)
    assert got.shape == expected.shape
    assert rel_error(got, expected) < 1e-6


def test_output_size_agrees_with_keras_shapes():
    for _ in range(30):
        size, kernel, stride = RNG.integers(4, 15), RNG.integers(1, 5), RNG.integers(1, 4)
        for padding in ("valid", "same"):
            layer = keras.layers.Conv2D(1, int(kernel), strides=int(stride), padding=padding)
            expected = layer.compute_output_shape((1, int(size), int(size), 1))[1]
            assert conv.output_size(int(size), int(kernel), padding, int(stride)) == expected


def test_output_size_formula_and_the_decks_cases():
    assert conv.output_size(7, 3, 0, 1) == 5
    assert conv.output_size(7, 3, 0, 2) == 3
    assert conv.output_size(7, 3, 1, 1) == 7
    assert conv.output_size(32, 5, 2, 1) == 32
    assert conv.output_size(227, 11, 0, 4) == 55
    with pytest.raises(ValueError, match="stride 3 does not fit.*2.333"):
        conv.output_size(7, 3, 0, 3)
    assert conv.output_size(7, 3, 0, 3, floor=True) == 2
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv.output_size(3, 5, 0, 1)


@pytest.mark.parametrize("bad, error", [
    (dict(stride=0), ValueError), (dict(padding=-1), ValueError),
    (dict(stride=1.5), TypeError), (dict(padding=True), TypeError), (dict(padding="full"), TypeError),
])
def test_output_size_rejects_bad_settings_with_a_message(bad, error):
    with pytest.raises(error, match="stride|padding"):
        conv.output_size(7, 3, **{"padding": 0, "stride": 1, **bad})


def test_conv2d_reports_a_channel_mismatch():
    with pytest.raises(ValueError, match="should have shape"):
        conv.conv2d_im2col(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 2, 4)))


def test_single_channel_correlation_and_true_convolution_match_scipy():
    image, kernel = RNG.standard_normal((8, 9)), RNG.standard_normal((3, 4))
    assert rel_error(conv.correlate2d(image, kernel), signal.correlate2d(image, kernel, "valid")) < 1e-12
    assert rel_error(conv.true_convolve2d(image, kernel), signal.convolve2d(image, kernel, "valid")) < 1e-12
    full = signal.convolve2d(image, kernel[:3, :3], "same")
    assert rel_error(conv.true_convolve2d(image, kernel[:3, :3], padding=1), full) < 1e-12


def test_the_flip_example_of_the_deck():
    # DS4023 deck: y_ij = sum_uv w_uv x_{i-u+1, j-v+1} (a true convolution), output as printed.
    x = np.array([[1, 1, 1, 1, 1], [-1, 0, -3, 0, 1], [2, 1, 1, -1, 0], [0, -1, 1, 2, 1], [1, 2, 1, 1, 1]])
    w = np.array([[1, 0, 0], [0, 0, 0], [0, 0, -1]])
    printed = np.array([[0, -2, -1], [2, 2, 4], [-1, 0, 0]])
    assert np.array_equal(conv.true_convolve2d(x, w), printed)
    assert np.array_equal(conv.correlate2d(x, w), -printed)  # this kernel's flip is its negative


def test_1d_filters_differentiate_and_flip():
    t = np.linspace(0, 3, 31)
    x = np.sin(t)
    step = t[1] - t[0]
    derivative = conv.true_convolve1d(x, np.array([0.5, 0, -0.5])) / step
    assert rel_error(derivative, np.gradient(x, step)[1:-1]) < 1e-12
    assert rel_error(conv.correlate1d(x, np.array([0.5, 0, -0.5])), -derivative * step) < 1e-12
    w = RNG.standard_normal(4)
    assert rel_error(conv.true_convolve1d(x, w), np.convolve(x, w, "valid")) < 1e-12
    assert rel_error(conv.correlate1d(x, w, padding=2, stride=2), np.correlate(np.pad(x, 2), w, "valid")[::2]) < 1e-12


def tf_conv_gradients(dout, x, w, b, stride, padding):
    """(dx, dw, db) of sum(tf.nn.conv2d(x, w) + b) * dout) from tf.GradientTape."""
    if isinstance(padding, int):
        padding = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    x, w, b = tf.constant(x), tf.constant(w), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([x, w, b])
        z = tf.nn.conv2d(x, w, strides=stride, padding=padding.upper() if isinstance(padding, str) else padding) + b
        loss = tf.reduce_sum(z * dout)
    return z.numpy(), [g.numpy() for g in tape.gradient(loss, [x, w, b])]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("backward", [conv.conv2d_backward_naive, conv.conv2d_backward])
def test_conv2d_backward_matches_tensorflow_autodiff(case, backward):
    n, h, w_, c_in, c_out, kh, kw, stride, padding = case
    x = RNG.standard_normal((n, h, w_, c_in))
    w = RNG.standard_normal((kh, kw, c_in, c_out))
    b = RNG.standard_normal(c_out)
    dout = RNG.standard_normal(conv.conv2d_im2col(x, w, b, stride, padding).shape)
    z, expected = tf_conv_gradients(dout, x, w, b, stride, padding)
    assert rel_error(conv.conv2d_im2col(x, w, b, stride, padding), z) < 1e-10
    for name, got, want in zip(("dx", "dw", "db"), backward(dout, x, w, stride, padding), expected):
        assert got.shape == want.shape, name
        assert rel_error(got, want) < 1e-9, name


@pytest.mark.parametrize("stride, padding", [(2, 1), (1, 0), ((1, 2), "same")])
def test_conv2d_backward_matches_numerical_gradients(stride, padding):
    x = RNG.standard_normal((2, 5, 6, 3))
    w = RNG.standard_normal((3, 2, 3, 2))
    b = RNG.standard_normal(2)
    dout = RNG.standard_normal(conv.conv2d_naive(x, w, b, stride, padding).shape)

    def loss(x, w, b):
        return np.sum(conv.conv2d_naive(x, w, b, stride, padding) * dout)

    numeric = (numerical_gradient(lambda v: loss(v, w, b), x.copy()),
               numerical_gradient(lambda v: loss(x, v, b), w.copy()),
               numerical_gradient(lambda v: loss(x, w, v), b.copy()))
    for backward in (conv.conv2d_backward_naive, conv.conv2d_backward):
        for name, got, want in zip(("dx", "dw", "db"), backward(dout, x, w, stride, padding), numeric):
            assert rel_error(got, want) < 1e-6, (backward.__name__, name)


def test_conv2d_backward_is_a_full_convolution_and_a_correlation():
    # One channel, stride 1, no padding: dx = dout convolved (flipped kernel, "full"), dw = x correlated with dout.
    x, w = RNG.standard_normal((7, 9)), RNG.standard_normal((3, 4))
    dout = RNG.standard_normal((5, 6))
    dx, dw, db = conv.conv2d_backward(dout[None, :, :, None], x[None, :, :, None], w[:, :, None, None])
    assert rel_error(dx[0, :, :, 0], signal.convolve2d(dout, w, "full")) < 1e-12
    assert rel_error(dw[:, :, 0, 0], signal.correlate2d(x, dout, "valid")) < 1e-12
    assert rel_error(db, [dout.sum()]) < 1e-12


@pytest.mark.parametrize("window, stride, padding", [((3, 2), 2, 1), (2, 1, 0), ((3, 3), (2, 1), "same")])
def test_col2im_is_the_adjoint_of_im2col(window, stride, padding):
    x = RNG.standard_normal((2, 7, 6, 3))
    cols, _ = conv.im2col(x, window, stride, padding)
    u = RNG.standard_normal(cols.shape)
    back = conv.col2im(u, x.shape, window, stride, padding)
    assert back.shape == x.shape
    assert abs(np.sum(cols * u) - np.sum(x * back)) < 1e-10 * np.sum(np.abs(cols * u))


def test_conv2d_backward_reports_a_dout_of_the_wrong_shape():
    x, w = np.zeros((1, 6, 6, 2)), np.zeros((3, 3, 2, 4))
    for backward in (conv.conv2d_backward_naive, conv.conv2d_backward):
        with pytest.raises(ValueError, match=r"dout \(N, OH, OW, C_out\) should have shape \(1, 3, 3, 4\)"):
            backward(np.zeros((1, 4, 4, 4)), x, w, stride=2, padding=1)


POOL_CASES = [((2, 6, 6, 3), 2, None), ((1, 7, 5, 2), 3, 2), ((2, 5, 8, 1), (2, 3), (1, 2)), ((1, 6, 6, 2), 3, 1)]


@pytest.mark.parametrize("shape, size, stride", POOL_CASES)
def test_pooling_forward_and_backward_match_tensorflow(shape, size, stride):
    x = tf.constant(RNG.standard_normal(shape))
    for ours, ours_back, tf_pool in (
        (conv.max_pool, conv.max_pool_backward, tf.nn.max_pool2d),
        (conv.avg_pool, conv.avg_pool_backward, tf.nn.avg_pool2d),
    ):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf_pool(x, size, size if stride is None else stride, "VALID")
            dout = tf.constant(RNG.standard_normal(y.shape))
            loss = tf.reduce_sum(y * dout)
        assert rel_error(ours(x.numpy(), size, stride), y.numpy()) < 1e-12
        expected = tape.gradient(loss, x).numpy()
        assert rel_error(ours_back(dout.numpy(), x.numpy(), size, stride), expected) < 1e-12


def test_avg_pool_backward_matches_numerical_gradient():
    x = RNG.standard_normal((2, 6, 5, 2))
    dout = RNG.standard_normal(conv.avg_pool(x, (3, 2), (1, 2)).shape)
    numeric = numerical_gradient(lambda v: np.sum(conv.avg_pool(v, (3, 2), (1, 2)) * dout), x)
    assert rel_error(conv.avg_pool_backward(dout, x, (3, 2), (1, 2)), numeric) < 1e-8


def test_max_pool_backward_matches_numerical_gradient():
    x = RNG.standard_normal((2, 5, 5, 2))
    dout = RNG.standard_normal(conv.max_pool(x, 3, 2).shape)
    numeric = numerical_gradient(lambda v: np.sum(conv.max_pool(v, 3, 2) * dout), x)
    assert rel_error(conv.max_pool_backward(dout, x, 3, 2), numeric) < 1e-8


def test_max_unpool_reproduces_the_decks_example():
    x = np.array([[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]], float)[None, :, :, None]
    assert np.array_equal(conv.max_pool(x)[0, :, :, 0], [[5, 6], [7, 8]])
    unpooled = conv.max_unpool(np.array([[1.0, 2], [3, 4]])[None, :, :, None], x)[0, :, :, 0]
    assert np.array_equal(unpooled, [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]])


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, [(3, 2), (3, 2)], [(5, 1), (2, 2), (3, 1)], [(4, 3), (3, 1)]])
def test_receptive_field_is_what_one_output_depends_on(layers):
    def network(x):
        for kernel, stride in layers:
            x = conv.correlate1d(x, np.ones(kernel), stride=stride)
        return x[0]

    grad = numerical_gradient(network, np.zeros(40))
    assert conv.receptive_field(layers) == np.count_nonzero(grad)
    assert conv.receptive_field([(3, 1)] * 4) == 1 + 4 * (3 - 1)  # the decks' 1 + L(K - 1)
