"""Autoencoders for 28x28 images: dense (optionally sparse), denoising, convolutional and
variational builders, noise, the KL divergence of diagonal Gaussians and the
reparameterisation trick, max pooling with remembered positions and unpooling, and a
latent-space walk.

Images are floats in [0, 1] of shape (N, 28, 28) for the dense models and
(N, 28, 28, 1) for the convolutional one, as Keras wants them.
"""

import numpy as np

from dlcourse import figures
from dlcourse.checks import check_array


def add_gaussian_noise(images, std, rng):
    """x~ = clip(x + eps, 0, 1) with eps ~ N(0, std^2) per pixel (the denoising input)."""
    images = check_array("images", images, dtype_kind="f")
    if std < 0:
        raise ValueError(f"the noise std must be >= 0, got {std}")
    return np.clip(images + rng.normal(0.0, std, images.shape), 0.0, 1.0)


def build_dense_autoencoder(latent_dim=32, hidden=128, image_shape=(28, 28),
                            latent_activation="relu", code_l1=0.0):
    """Encoder 784 -> hidden -> latent_dim, decoder latent_dim -> hidden -> 784 (sigmoid).

    Returns ``(autoencoder, encoder, decoder)``, sharing their layers.
    ``hidden=None`` gives one layer each way; ``latent_activation=None`` leaves the
    code unbounded (used for the 2-D map). ``code_l1`` > 0 makes it a **sparse**
    autoencoder: Keras adds ``code_l1 * sum_j |h_j|`` per example (averaged over the
    batch) to the loss.
    """
    import keras

    if code_l1 < 0:
        raise ValueError(f"code_l1 must be >= 0, got {code_l1}")
    pixels = int(np.prod(image_shape))
    encoder_layers = [keras.layers.Flatten()]
    if hidden:
        encoder_layers.append(keras.layers.Dense(hidden, activation="relu"))
    penalty = keras.regularizers.L1(code_l1) if code_l1 else None
    encoder_layers.append(keras.layers.Dense(latent_dim, activation=latent_activation, name="code",
                                             activity_regularizer=penalty))
    encoder = keras.Sequential([keras.Input(image_shape)] + encoder_layers, name="encoder")
    decoder_layers = [keras.layers.Dense(hidden, activation="relu")] if hidden else []
    decoder_layers += [keras.layers.Dense(pixels, activation="sigmoid"),
                       keras.layers.Reshape(image_shape)]
    decoder = keras.Sequential([keras.Input((latent_dim,))] + decoder_layers, name="decoder")
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    return autoencoder, encoder, decoder


def build_linear_autoencoder(latent_dim, pixels=784):
    """x_hat = (x W + b) W* + b* with no activations: its best code spans PCA's subspace."""
    import keras

    encoder = keras.Sequential([keras.Input((pixels,)), keras.layers.Dense(latent_dim)], name="encoder")
    decoder = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(pixels)], name="decoder")
    return keras.Sequential([encoder, decoder], name="linear_autoencoder"), encoder, decoder


def build_conv_autoencoder(filters=(16, 32), latent_channels=8):
    """Conv (stride 2) 28 -> 14 -> 7, a 1x1 conv to ``latent_channels`` (the 7x7 code),
    then transposed convs (stride 2) 7 -> 14 -> 28 and a sigmoid 3x3 conv to one channel.

    Returns ``(autoencoder, encoder)``.
    """
    import keras

    image = keras.Input((28, 28, 1))
    x = image
    for f in filters:
        x = keras.layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(x)
    code = keras.layers.Conv2D(latent_channels, 1, activation="relu", name="code")(x)
    x = code
    for f in reversed(filters):
        x = keras.layers.Conv2DTranspose(f, 3, strides=2, padding="same", activation="relu")(x)
    output = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(image, output, name="conv_autoencoder"), keras.Model(image, code, name="conv_encoder")


def kl_diagonal_gaussians(mu_q, log_var_q, mu_p=0.0, log_var_p=0.0):
    """KL(q || p) of two Gaussians with diagonal covariances, one value per row.

    ``mu_q``, ``log_var_q`` (N, M): means and log-variances of q; those of p broadcast
    against them (the defaults: p = N(0, I), the VAE's prior). Per dimension
    KL = log(sigma_p / sigma_q) + (sigma_q^2 + (mu_q - mu_p)^2) / (2 sigma_p^2) - 1/2,
    summed over the M dimensions: shape (N,).
    """
    mu_q = check_array("mu_q", mu_q, shape=(None, None), dtype_kind="f")
    log_var_q = check_array("log_var_q", log_var_q, shape=mu_q.shape, dtype_kind="f")
    per_dim = 0.5 * (log_var_p - log_var_q
                     + (np.exp(log_var_q) + (mu_q - mu_p) ** 2) / np.exp(log_var_p) - 1.0)
    return per_dim.sum(axis=1)


def reparameterize(mu, log_var, eps):
    """The reparameterisation trick: h = mu + sigma * eps with sigma = exp(log_var / 2).

    ``eps`` ~ N(0, I) carries all the randomness, so h is a differentiable function of
    ``mu`` and ``log_var`` (all three arrays of one shape, (N, M)).
    """
    mu = check_array("mu", mu, dtype_kind="f")
    log_var = check_array("log_var", log_var, shape=mu.shape, dtype_kind="f")
    eps = check_array("eps", eps, shape=mu.shape, dtype_kind="f")
    return mu + np.exp(0.5 * log_var) * eps


def build_vae(latent_dim=2, hidden=256, pixels=784, seed=0):
    """A variational autoencoder on flat images (N, pixels) in [0, 1].

    Encoder: pixels -> hidden (ReLU) -> mu and log_var (latent_dim each); a sampling layer
    draws h = mu + exp(log_var / 2) * eps and adds the mean over the batch of
    KL(N(mu, sigma^2) || N(0, I)) to the model's loss; decoder: latent_dim -> hidden ->
    pixels (sigmoid). Compile it with ``summed_binary_crossentropy`` as the
    reconstruction term. Returns ``(vae, encoder, decoder)``; ``encoder`` outputs
    ``[mu, log_var]``.
    """
    import keras
    from keras import ops

    class GaussianSample(keras.layers.Layer):
        """h = mu + sigma * eps, eps ~ N(0, I); adds the KL term to the loss."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seeds = keras.random.SeedGenerator(seed)

        def call(self, mu, log_var):
            kl = 0.5 * ops.sum(ops.square(mu) + ops.exp(log_var) - log_var - 1.0, axis=-1)
            self.add_loss(ops.mean(kl))
            eps = keras.random.normal(ops.shape(mu), seed=self.seeds)
            return mu + ops.exp(0.5 * log_var) * eps

    x = keras.Input((pixels,))
    a = keras.layers.Dense(hidden, activation="relu")(x)
    mu = keras.layers.Dense(latent_dim, name="mu")(a)
    log_var = keras.layers.Dense(latent_dim, name="log_var")(a)
    encoder = keras.Model(x, [mu, log_var], name="vae_encoder")
    decoder = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(hidden, activation="relu"),
                                keras.layers.Dense(pixels, activation="sigmoid")], name="vae_decoder")
    h = GaussianSample(name="sample")(mu, log_var)
    return keras.Model(x, decoder(h), name="vae"), encoder, decoder


def summed_binary_crossentropy(x, x_hat):
    """Reconstruction term of a VAE: the binary cross-entropy summed over the pixels of
    each image (Keras's ``binary_crossentropy`` averages them), shape (N,)."""
    import keras

    return x.shape[-1] * keras.losses.binary_crossentropy(x, x_hat)


def transposed_conv_output_size(size, kernel, stride=1, padding=0):
    """O = (I - 1) S - 2P + K: the inverse of the convolution size O = (I - K + 2P)/S + 1."""
    if min(size, kernel, stride) < 1 or padding < 0:
        raise ValueError("size, kernel and stride must be >= 1 and padding >= 0, got "
                         f"size={size}, kernel={kernel}, stride={stride}, padding={padding}")
    return (size - 1) * stride - 2 * padding + kernel


def max_pool_with_positions(x, size=2):
    """Max pooling of a 2-D array that also returns where each maximum was.

    Returns ``pooled`` (H/size, W/size) and ``positions`` (H/size, W/size, 2): the
    (row, col) of each maximum in ``x`` (the first one when there are ties).
    """
    x = check_array("x", x, shape=(None, None), dtype_kind="fiu")
    h, w = x.shape
    if h % size or w % size:
        raise ValueError(f"a {h}x{w} array does not split into {size}x{size} windows")
    windows = x.reshape(h // size, size, w // size, size).transpose(0, 2, 1, 3)
    flat = windows.reshape(h // size, w // size, size * size)
    arg = flat.argmax(axis=-1)
    rows = np.arange(h // size)[:, None] * size + arg // size
    cols = np.arange(w // size)[None, :] * size + arg % size
    return flat.max(axis=-1), np.stack([rows, cols], axis=-1)


def max_unpool(values, positions, shape):
    """Put each value back where its maximum came from; zeros elsewhere."""
    values = check_array("values", values, shape=(None, None))
    positions = check_array("positions", positions, shape=values.shape + (2,), dtype_kind="iu")
    out = np.zeros(shape, dtype=values.dtype)
    out[positions[..., 0], positions[..., 1]] = values
    return out


def interpolate(z_start, z_end, steps):
    """``steps`` codes evenly spaced on the segment from ``z_start`` to ``z_end``."""
    z_start = np.asarray(z_start, dtype=np.float64)
    z_end = check_array("z_end", z_end, shape=z_start.shape)
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1 - t) * z_start + t * z_end


def latent_grid(z_range, n):
    """An n x n grid of 2-D codes covering ``z_range = ((x0, x1), (y0, y1))``, rows top-down."""
    (x0, x1), (y0, y1) = z_range
    xs, ys = np.linspace(x0, x1, n), np.linspace(y1, y0, n)
    return np.array([[x, y] for y in ys for x in xs])


def latent_walk_widget(decode, codes, labels, class_names):
    """Move a point in a 2-D latent space and see what the decoder draws there.

    ``decode``: a function from codes (M, 2) to images (M, 28, 28), e.g.
    ``lambda z: decoder(z).numpy()`` (calling a Keras model on one code takes
    milliseconds, ``predict`` a tenth of a second); ``codes`` (N, 2) and ``labels`` (N,)
    are the encoded test images, drawn as the background map.
    ``widget.result`` holds ``z`` (the chosen code) and ``image`` (its decoding).
    """
    import ipywidgets as widgets
    import matplotlib
    from matplotlib.figure import Figure

    codes = check_array("codes", codes, shape=(None, 2), dtype_kind="f")
    low, high = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)

    fig = Figure(figsize=(11, 4.5))
    map_ax, image_ax = fig.subplots(1, 2)
    points = map_ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap=matplotlib.colormaps["viridis"].resampled(10),
                            s=4, vmin=-0.5, vmax=9.5)
    cross = map_ax.scatter([], [], marker="x", s=150, color="black")
    map_ax.set_title("test images encoded to 2-D (colour = class)")
    map_ax.set_xlabel("z1 (code h1)")
    map_ax.set_ylabel("z2 (code h2)")
    cbar = fig.colorbar(points, ax=map_ax, ticks=range(10))
    cbar.ax.set_yticklabels(class_names)
    shown = image_ax.imshow(np.zeros((28, 28)), cmap="gray", vmin=0, vmax=1)
    image_ax.axis("off")
    figures.layered_canvas(fig, [[cross, shown, image_ax.title]])  # the map and its colour bar are drawn once
    picture = figures.Picture(fig)

    def show(z1, z2):
        z = np.array([[z1, z2]])
        image = np.asarray(decode(z))[0].reshape(28, 28)
        cross.set_offsets(z)
        shown.set_data(image)
        image_ax.set_title(f"decoder output at z = ({z1:.2f}, {z2:.2f})")
        picture.draw()
        return {"z": z[0], "image": image}

    def slider(axis):
        return widgets.FloatSlider(value=float((low[axis] + high[axis]) / 2), min=float(low[axis]),
                                   max=float(high[axis]), step=float((high[axis] - low[axis]) / 100),
                                   description=f"z{axis + 1}")

    return figures.interactive(show, picture, z1=slider(0), z2=slider(1))
