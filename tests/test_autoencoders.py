"""dlcourse.autoencoders: noise, pooling/unpooling and transposed-conv sizes against
Keras/TensorFlow, model builders against their formulas, the latent-walk widget."""

import numpy as np
import pytest

from dlcourse import autoencoders as ae

keras = pytest.importorskip("keras")


def test_gaussian_noise_is_clipped_seeded_and_has_the_asked_std():
    x = np.full((200, 28, 28), 0.5)
    noisy = ae.add_gaussian_noise(x, 0.1, np.random.default_rng(0))
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert abs(np.std(noisy - x) - 0.1) < 0.002          # 0.5 +- 0.1 is rarely clipped
    np.testing.assert_array_equal(noisy, ae.add_gaussian_noise(x, 0.1, np.random.default_rng(0)))
    np.testing.assert_array_equal(ae.add_gaussian_noise(x, 0.0, np.random.default_rng(1)), x)
    with pytest.raises(ValueError, match=">= 0"):
        ae.add_gaussian_noise(x, -1, np.random.default_rng(0))


@pytest.mark.parametrize("size,kernel,stride", [(7, 3, 1), (7, 3, 2), (5, 4, 2), (4, 5, 5), (6, 2, 2)])
def test_transposed_conv_size_matches_keras(size, kernel, stride):
    layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding="valid")
    keras_size = layer(np.zeros((1, size, size, 1), "float32")).shape[1]
    assert ae.transposed_conv_output_size(size, kernel, stride) == keras_size
    with pytest.raises(ValueError, match="stride"):
        ae.transposed_conv_output_size(size, kernel, 0)


def test_transposed_conv_inverts_the_convolution_size():
    for size in range(3, 12):
        for kernel in (1, 2, 3):
            for padding in (0, 1):
                out = ae.transposed_conv_output_size(size, kernel, 1, padding)
                assert (out - kernel + 2 * padding) // 1 + 1 == size


def test_max_pool_with_positions_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = np.random.default_rng(0).permutation(64).reshape(8, 8).astype(np.float64)   # no ties
    pooled, positions = ae.max_pool_with_positions(x, 2)
    keras_pooled = keras.layers.MaxPooling2D(2)(x[None, :, :, None]).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(pooled, keras_pooled)
    _, argmax = tf.nn.max_pool_with_argmax(x[None, :, :, None], 2, 2, "VALID")
    flat = argmax.numpy()[0, :, :, 0]                    # index into the flattened 8x8 image
    np.testing.assert_array_equal(positions[..., 0] * 8 + positions[..., 1], flat)
    with pytest.raises(ValueError, match="does not split"):
        ae.max_pool_with_positions(np.zeros((5, 4)))


def test_max_unpool_puts_values_back_where_the_maxima_were():
    x = np.random.default_rng(1).permutation(36).reshape(6, 6).astype(np.float64) + 1
    pooled, positions = ae.max_pool_with_positions(x, 3)
    unpooled = ae.max_unpool(pooled, positions, x.shape)
    np.testing.assert_array_equal(unpooled[unpooled > 0], x[unpooled > 0])
    assert np.count_nonzero(unpooled) == pooled.size
    np.testing.assert_array_equal(ae.max_pool_with_positions(unpooled, 3)[0], pooled)


def test_dense_autoencoder_is_decoder_of_encoder():
    keras.utils.set_random_seed(0)
    model, encoder, decoder = ae.build_dense_autoencoder(latent_dim=5, hidden=16)
    x = np.random.default_rng(2).random((4, 28, 28)).astype("float32")
    code = encoder.predict(x, verbose=0)
    assert code.shape == (4, 5) and (code >= 0).all()      # ReLU code
    np.testing.assert_allclose(model.predict(x, verbose=0), decoder.predict(code, verbose=0), atol=1e-6)
    out = model.predict(x, verbose=0)
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1


def test_linear_autoencoder_is_the_affine_formula():
    keras.utils.set_random_seed(0)
    model, encoder, decoder = ae.build_linear_autoencoder(3, pixels=10)
    (w, b), (w_star, c) = encoder.layers[0].get_weights(), decoder.layers[0].get_weights()
    x = np.random.default_rng(3).normal(size=(6, 10))
    np.testing.assert_allclose(model.predict(x, verbose=0), (x @ w + b) @ w_star + c, atol=1e-5)


def test_conv_autoencoder_shapes():
    model, encoder = ae.build_conv_autoencoder(filters=(4, 8), latent_channels=2)
    x = np.zeros((2, 28, 28, 1), "float32")
    assert encoder.predict(x, verbose=0).shape == (2, 7, 7, 2)
    assert model.predict(x, verbose=0).shape == (2, 28, 28, 1)


def test_interpolate_and_grid():
    path = ae.interpolate([0.0, 2.0], [4.0, -2.0], 5)
    np.testing.assert_allclose(path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]])
    with pytest.raises(ValueError, match="at least 2"):
        ae.interpolate([0.0], [1.0], 1)
    grid = ae.latent_grid(((-1, 1), (0, 2)), 3)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[0], [-1, 2])             # top-left: smallest x, largest y
    np.testing.assert_allclose(grid[-1], [1, 0])


def test_latent_walk_widget_decodes_the_chosen_point(kernel):
    out = kernel.run(
        "import numpy as np\n"
        "from dlcourse.autoencoders import latent_walk_widget\n"
        "decode = lambda z: np.tile((z[:, :1] + 2 * z[:, 1:]) / 10, (1, 784)).reshape(-1, 28, 28)\n"
        "codes = np.random.default_rng(0).uniform(-3, 3, (100, 2))\n"
        "w = latent_walk_widget(decode, codes, np.arange(100) % 10, [str(i) for i in range(10)])\n"
        "w.children[0].value = 1.0\n"
        "w.children[1].value = -0.5\n"
        "print(w.result['z'].tolist(), float(w.result['image'][5, 5]), w.result['image'].shape)\n"
    )
    assert out.strip() == "[1.0, -0.5] 0.0 (28, 28)"


def test_latent_walk_widget_redraws_only_the_point_and_the_image_once_per_input():
    from unittest import mock

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dlcourse import figures

    decode = lambda z: np.tile((z[:, :1] + 2 * z[:, 1:]) / 10, (1, 784)).reshape(-1, 28, 28)  # noqa: E731
    codes = np.random.default_rng(0).uniform(-3, 3, (100, 2))
    with mock.patch.object(figures.Picture, "draw", autospec=True, side_effect=figures.Picture.draw) as draw:
        w = ae.latent_walk_widget(decode, codes, np.arange(100) % 10, [str(i) for i in range(10)])
        w.children[0].value = 2.0  # the browser test's key press
        w.children[1].value = -0.5
    assert draw.call_count == 1 + 2
    assert ('<img alt="test images encoded to 2-D (colour = class) | decoder output at z = (2.00, -0.50)"'
            in w.children[2].value)
    fig = draw.call_args.args[0].fig
    np.testing.assert_allclose(fig.axes[0].collections[1].get_offsets(), [[2.0, -0.5]])
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), np.full((28, 28), 0.1))
    shown = np.asarray(fig.canvas.buffer_rgba()).copy()
    for artist in (fig.axes[0].collections[1], fig.axes[1].images[0], fig.axes[1].title):
        artist.set_animated(False)
    full = FigureCanvasAgg(fig)  # the whole figure drawn the ordinary way
    full.draw()
    np.testing.assert_array_equal(shown, np.asarray(full.buffer_rgba()))


def test_kl_of_two_gaussians_matches_numerical_integration():
    stats = pytest.importorskip("scipy.stats")
    from scipy import integrate

    rng = np.random.default_rng(4)
    for _ in range(5):
        mq, lq, mp, lp = rng.normal(size=4)
        sq, sp = np.exp(lq / 2), np.exp(lp / 2)
        integrand = lambda h: stats.norm.pdf(h, mq, sq) * (stats.norm.logpdf(h, mq, sq) - stats.norm.logpdf(h, mp, sp))  # noqa: E731
        expected = integrate.quad(integrand, mq - 12 * sq, mq + 12 * sq)[0]
        ours = ae.kl_diagonal_gaussians(np.array([[mq]]), np.array([[lq]]), mp, lp)
        np.testing.assert_allclose(ours, [expected], rtol=1e-7, atol=1e-10)


def test_kl_adds_over_dimensions_and_is_zero_only_at_the_prior():
    rng = np.random.default_rng(5)
    mu, log_var = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    per_dim = [ae.kl_diagonal_gaussians(mu[:, [j]], log_var[:, [j]]) for j in range(3)]
    np.testing.assert_allclose(ae.kl_diagonal_gaussians(mu, log_var), np.sum(per_dim, axis=0))
    np.testing.assert_allclose(ae.kl_diagonal_gaussians(mu, log_var),
                               0.5 * np.sum(mu ** 2 + np.exp(log_var) - log_var - 1, axis=1))
    assert ae.kl_diagonal_gaussians(np.zeros((2, 3)), np.zeros((2, 3))).tolist() == [0.0, 0.0]
    assert (ae.kl_diagonal_gaussians(mu, log_var) > 0).all()
    with pytest.raises(ValueError):
        ae.kl_diagonal_gaussians(mu, log_var[:, :2])


def test_reparameterize_has_the_asked_moments_and_gradients():
    from dlcourse.checks import numerical_gradient

    mu, log_var = np.array([[1.0, -2.0]]), np.array([[0.5, -1.0]])
    eps = np.random.default_rng(6).standard_normal((100_000, 2))
    h = ae.reparameterize(np.repeat(mu, len(eps), 0), np.repeat(log_var, len(eps), 0), eps)
    np.testing.assert_allclose(h.mean(0), mu[0], atol=0.02)
    np.testing.assert_allclose(h.var(0), np.exp(log_var[0]), rtol=0.02)
    e = eps[:1]
    d_mu = numerical_gradient(lambda m: ae.reparameterize(m, log_var, e).sum(), mu.copy())
    d_log_var = numerical_gradient(lambda lv: ae.reparameterize(mu, lv, e).sum(), log_var.copy())
    np.testing.assert_allclose(d_mu, np.ones_like(mu), rtol=1e-6)
    np.testing.assert_allclose(d_log_var, 0.5 * np.exp(0.5 * log_var) * e, rtol=1e-6)


def test_sparse_autoencoder_adds_the_l1_of_the_code_per_example():
    keras.utils.set_random_seed(0)
    model, encoder, _ = ae.build_dense_autoencoder(latent_dim=6, hidden=8, code_l1=0.01)
    model.compile(loss="binary_crossentropy")
    x = np.random.default_rng(7).random((5, 28, 28)).astype("float32")
    total = model.evaluate(x, x, batch_size=len(x), verbose=0)
    reconstruction = float(np.mean(keras.losses.binary_crossentropy(x, model.predict(x, verbose=0))))
    h = encoder.predict(x, verbose=0)
    np.testing.assert_allclose(total - reconstruction, 0.01 * np.abs(h).sum() / len(x), rtol=1e-4)
    with pytest.raises(ValueError, match="code_l1"):
        ae.build_dense_autoencoder(code_l1=-1)


def test_vae_adds_the_kl_of_the_formula_and_samples_around_mu():
    keras.utils.set_random_seed(0)
    vae, encoder, decoder = ae.build_vae(latent_dim=3, hidden=8, pixels=10)
    x = np.random.default_rng(8).random((6, 10)).astype("float32")
    out = vae(x)
    mu, log_var = (np.asarray(a, dtype=np.float64) for a in encoder(x))
    np.testing.assert_allclose(float(vae.losses[0]), ae.kl_diagonal_gaussians(mu, log_var).mean(), rtol=1e-5)
    assert out.shape == (6, 10) and decoder(mu).shape == (6, 10)
    assert not np.allclose(np.asarray(out), np.asarray(decoder(mu)))  # a sample, not the mean code


def test_summed_binary_crossentropy_is_the_sum_over_pixels():
    rng = np.random.default_rng(9)
    x, x_hat = rng.random((3, 10)), rng.uniform(0.05, 0.95, (3, 10))
    expected = -np.sum(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat), axis=1)
    np.testing.assert_allclose(np.asarray(ae.summed_binary_crossentropy(x.astype("float32"), x_hat.astype("float32"))),
                               expected, rtol=1e-4)
