"""Keras CNNs for lesson 10: LeNet-5, the Fashion-MNIST CNN, architecture blocks,
parameter/multiply counts by hand, feature maps, dilation, class activation maps, local
response normalisation and cosine nearest neighbours of feature vectors (Img2Vec).

Nothing here downloads weights: every model is built from scratch.
"""

import numpy as np

from dlcourse.checks import check_array
from dlcourse.runtime import require

# LeNet-5 as the Machine Learning deck tabulates it: (layer, maps, size, kernel, stride, activation).
LENET5_TABLE = (
    ("Input", 1, 32, None, None, None),
    ("Convolution", 6, 28, 5, 1, "tanh"),
    ("Average Pooling", 6, 14, 2, 2, "tanh"),
    ("Convolution", 16, 10, 5, 1, "tanh"),
    ("Average Pooling", 16, 5, 2, 2, "tanh"),
    ("Convolution", 120, 1, 5, 1, "tanh"),
    ("FC", 84, 1, None, None, "tanh"),
    ("FC", 10, 1, None, None, "softmax"),
)


def _keras():
    return require("keras", "Building Keras models")


def conv_params(kernel_h, kernel_w, channels_in, filters, bias=True):
    """Parameters of a convolution layer: ``(KH * KW * C_in + 1) * C_out``."""
    return (kernel_h * kernel_w * channels_in + int(bias)) * filters


def dense_params(inputs, units, bias=True):
    """Parameters of a dense layer: ``(inputs + 1) * units``."""
    return (inputs + int(bias)) * units


def conv_multiplies(out_h, out_w, kernel_h, kernel_w, channels_in, filters):
    """Multiplications of a convolution: one per weight per output position."""
    return out_h * out_w * kernel_h * kernel_w * channels_in * filters


def lenet5_hand_count():
    """Parameters per layer of :func:`lenet5`, counted from ``LENET5_TABLE``."""
    counts, channels, flat = {}, 1, None
    for index, (kind, maps, size, kernel, _, _) in enumerate(LENET5_TABLE[1:], start=1):
        if kind == "Convolution":
            counts[f"{index} {kind}"] = conv_params(kernel, kernel, channels, maps)
            channels, flat = maps, maps * size * size
        elif kind == "FC":
            counts[f"{index} {kind}"] = dense_params(flat, maps)
            flat = maps
        else:
            counts[f"{index} {kind}"] = 0
    return counts


def lenet5(input_shape=(32, 32, 1), classes=10):
    """LeNet-5 as in the deck's table (average pooling, tanh; no trainable pooling coefficients)."""
    keras = _keras()
    layers = keras.layers
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, activation="tanh", name="C1"),
        layers.AveragePooling2D(2, name="S2"),
        layers.Conv2D(16, 5, activation="tanh", name="C3"),
        layers.AveragePooling2D(2, name="S4"),
        layers.Conv2D(120, 5, activation="tanh", name="C5"),
        layers.Flatten(name="flatten"),
        layers.Dense(84, activation="tanh", name="F6"),
        layers.Dense(classes, activation="softmax", name="output"),
    ], name="LeNet-5")


def fashion_cnn(input_shape=(28, 28, 1), classes=10, dropout=0.2):
    """The lesson's Fashion-MNIST CNN: two conv/pool stages, a dense layer, softmax.

    About 2.6 million multiply-adds per image: small enough for a CPU. The output
    layer computes in float32 even under a mixed-precision policy.
    """
    keras = _keras()
    layers = keras.layers
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(32, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(64, 3, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dropout(dropout, name="dropout1"),
        layers.Dense(128, activation="relu", name="features"),
        layers.Dropout(dropout, name="dropout2"),
        layers.Dense(classes, activation="softmax", name="classifier", dtype="float32"),
    ], name="fashion_cnn")


def prepare_images(images):
    """uint8 images (N, 28, 28) as float32 (N, 28, 28, 1) in [0, 1]."""
    images = check_array("images (N, H, W)", images, shape=(None, None, None))
    return (images.astype(np.float32) / 255.0)[..., None]


def feature_maps(model, layer_name, images, batch_size=1000):
    """The output of one named layer of a model (in inference mode) for a batch of images."""
    keras = _keras()
    probe = keras.Model(model.inputs[0], model.get_layer(layer_name).output)  # one input: no structure warning
    chunks = [np.asarray(probe(images[i: i + batch_size], training=False))
              for i in range(0, len(images), batch_size)]
    return np.concatenate(chunks)


def class_activation_maps(features, weights, class_index):
    """CAM ``M_c(i, j) = sum_k w_k^c f_k(i, j)`` for features (N, H, W, C), weights (C, K).

    ``k`` runs over the C channels of the maps, ``c`` is a class out of K (the CAM paper's letters).
    """
    features = check_array("features (N, H, W, C)", features, shape=(None, None, None, None))
    weights = check_array("weights (C, K)", weights, shape=(features.shape[3], None))
    return features @ weights[:, class_index]


def dilate_kernel(kernel, rate):
    """A kernel (KH, KW, C_in, C_out) with ``rate - 1`` zeros between its taps."""
    kernel = check_array("kernel (KH, KW, C_in, C_out)", kernel, shape=(None, None, None, None))
    kh, kw = kernel.shape[:2]
    dilated = np.zeros(((kh - 1) * rate + 1, (kw - 1) * rate + 1) + kernel.shape[2:], dtype=kernel.dtype)
    dilated[::rate, ::rate] = kernel
    return dilated


def inception_module(x, n1, n3_reduce, n3, n5_reduce, n5, pool_proj, name="inception"):
    """GoogLeNet's inception block (functional API): four branches concatenated on channels."""
    layers = _keras().layers

    def conv(tensor, filters, size, label):
        return layers.Conv2D(filters, size, padding="same", activation="relu", name=f"{name}_{label}")(tensor)

    branches = [
        conv(x, n1, 1, "1x1"),
        conv(conv(x, n3_reduce, 1, "3x3_reduce"), n3, 3, "3x3"),
        conv(conv(x, n5_reduce, 1, "5x5_reduce"), n5, 5, "5x5"),
        conv(layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x), pool_proj, 1, "pool_proj"),
    ]
    return layers.Concatenate(name=f"{name}_concat")(branches)


def inception_weights(channels_in, n1, n3_reduce, n3, n5_reduce, n5, pool_proj):
    """Weights (no biases) of an inception module, as GoogLeNet's table counts them."""
    return (channels_in * n1 + channels_in * n3_reduce + 9 * n3_reduce * n3
            + channels_in * n5_reduce + 25 * n5_reduce * n5 + channels_in * pool_proj)


def residual_block(x, filters, bottleneck=None, preactivation=False, name="res"):
    """ResNet block: two 3x3 convs, or 1x1-3x3-1x1 with a ``bottleneck`` width. No biases
    (ResNet follows each conv with batch norm; left out here).

    The original block returns ``relu(x + F(x))``; with ``preactivation`` (He et al. 2016,
    "Identity mappings") the ReLUs move into ``F``, each before its conv, and the block
    returns ``x + F(x)``.
    """
    layers = _keras().layers
    convs = ([(filters, 3, "a"), (filters, 3, "b")] if bottleneck is None
             else [(bottleneck, 1, "reduce"), (bottleneck, 3, "3x3"), (filters, 1, "expand")])
    y = x
    for index, (width, size, label) in enumerate(convs):
        if preactivation:
            y = layers.Activation("relu", name=f"{name}_{label}_relu")(y)
        last = index == len(convs) - 1
        y = layers.Conv2D(width, size, padding="same", use_bias=False, name=f"{name}_{label}",
                          activation=None if preactivation or last else "relu")(y)
    added = layers.Add(name=f"{name}_add")([x, y])
    return added if preactivation else layers.Activation("relu", name=f"{name}_out")(added)


def conv_net(input_shape=(28, 28, 1), classes=10, blocks=2, convs_per_block=2, dense_layers=1,
             filters=16, units=64, name="conv_net"):
    """Deck 003's recipe: ``blocks`` (N) conv blocks of ``convs_per_block`` (M) 3x3 convs and
    one 2x2 max pooling, then ``dense_layers`` (K) dense layers and a softmax. The filters
    double from block to block. An uncompiled model: ``(N, *input_shape)`` -> ``(N, classes)``."""
    keras = _keras()
    layers = keras.layers
    stack = [keras.Input(input_shape)]
    for block in range(1, blocks + 1):
        for index in range(1, convs_per_block + 1):
            stack.append(layers.Conv2D(filters * 2 ** (block - 1), 3, padding="same", activation="relu",
                                       name=f"block{block}_conv{index}"))
        stack.append(layers.MaxPooling2D(2, name=f"block{block}_pool"))
    stack.append(layers.Flatten(name="flatten"))
    stack += [layers.Dense(units, activation="relu", name=f"dense{index}") for index in range(1, dense_layers + 1)]
    stack.append(layers.Dense(classes, activation="softmax", name="classifier"))
    return keras.Sequential(stack, name=name)


def local_response_normalization(a, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75):
    """AlexNet's local response normalisation of maps ``a`` (N, H, W, C) across channels:
    ``a[..., i] / (bias + alpha * sum_j a[..., j]**2) ** beta`` with ``|j - i| <= depth_radius``
    (the paper's k = bias, n = 2 * depth_radius + 1, alpha, beta; TensorFlow's arguments)."""
    a = check_array("a (N, H, W, C)", a, shape=(None, None, None, None), dtype_kind="fiu").astype(np.float64)
    if depth_radius < 0:
        raise ValueError(f"depth_radius must be >= 0, got {depth_radius}")
    squares = np.pad(a**2, [(0, 0)] * 3 + [(depth_radius, depth_radius)])
    channels = a.shape[3]
    window_sums = sum(squares[..., j: j + channels] for j in range(2 * depth_radius + 1))
    return a / (bias + alpha * window_sums) ** beta


def nearest_neighbours(queries, gallery):
    """Index of the most cosine-similar gallery row for each query row: (Q, D), (G, D) -> (Q,).
    Unlike embeddings.cosine_similarity, an all-zero row (ReLU features can be) is allowed:
    its similarities are 0."""
    queries = check_array("queries (Q, D)", queries, shape=(None, None))
    gallery = check_array("gallery (G, D)", gallery, shape=(None, queries.shape[1]))

    def unit(rows):
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)

    return np.argmax(unit(queries) @ unit(gallery).T, axis=1)


VGG16_CONVS = (64, 64, "pool", 128, 128, "pool", 256, 256, 256, "pool",
               512, 512, 512, "pool", 512, 512, 512, "pool")


def vgg16_hand_count(classes=1000, size=224):
    """VGG-16's parameters counted by hand: 13 3x3 convs (stride 1, same), 3 dense layers."""
    total, channels = 0, 3
    for item in VGG16_CONVS:
        if item == "pool":
            size //= 2
        else:
            total += conv_params(3, 3, channels, item)
            channels = item
    return total + dense_params(size * size * channels, 4096) + dense_params(4096, 4096) + dense_params(4096, classes)


def alexnet(input_shape=(227, 227, 3), classes=1000):
    """AlexNet in one stream (the original split two layers' filters over two GPUs)."""
    keras = _keras()
    layers = keras.layers
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1"),
        layers.MaxPooling2D(3, strides=2, name="pool1"),
        layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(3, strides=2, name="pool2"),
        layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3"),
        layers.Conv2D(384, 3, padding="same", activation="relu", name="conv4"),
        layers.Conv2D(256, 3, padding="same", activation="relu", name="conv5"),
        layers.MaxPooling2D(3, strides=2, name="pool5"),
        layers.Flatten(name="flatten"),
        layers.Dense(4096, activation="relu", name="fc6"),
        layers.Dense(4096, activation="relu", name="fc7"),
        layers.Dense(classes, activation="softmax", name="fc8"),
    ], name="AlexNet")
