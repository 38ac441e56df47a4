"""dlcourse.cnn: hand counts against Keras's count_params, CAM and dilation against Keras."""

import numpy as np
import pytest

from dlcourse import cnn, conv
from dlcourse.checks import rel_error

keras = pytest.importorskip("keras")


def test_lenet5_matches_the_decks_table_and_the_hand_count():
    model = cnn.lenet5()
    layers = [layer for layer in model.layers if layer.name != "flatten"]
    rows = cnn.LENET5_TABLE[1:]
    assert len(layers) == len(rows)
    for layer, (name, count), row in zip(layers, cnn.lenet5_hand_count().items(), rows):
        assert layer.count_params() == count, name
        assert layer.output.shape[-1] == row[1]
        if layer.output.ndim == 4:
            assert layer.output.shape[1:3] == (row[2], row[2])
    assert model.count_params() == sum(cnn.lenet5_hand_count().values())


def test_fashion_cnn_count_and_output():
    model = cnn.fashion_cnn()
    assert model.count_params() == (cnn.conv_params(3, 3, 1, 32) + cnn.conv_params(3, 3, 32, 64)
                                    + cnn.dense_params(5 * 5 * 64, 128) + cnn.dense_params(128, 10))
    images = cnn.prepare_images(np.zeros((3, 28, 28), dtype=np.uint8))
    assert images.shape == (3, 28, 28, 1) and images.dtype == np.float32
    probabilities = np.asarray(model(images))
    assert probabilities.shape == (3, 10) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)


def test_feature_maps_equal_relu_of_the_numpy_convolution():
    model = cnn.fashion_cnn()
    images = np.random.default_rng(0).random((5, 28, 28, 1)).astype(np.float32)
    w, b = model.get_layer("conv1").get_weights()
    expected = np.maximum(conv.conv2d_im2col(images.astype(np.float64), w, b), 0)
    maps = cnn.feature_maps(model, "conv1", images, batch_size=2)
    assert maps.shape == (5, 26, 26, 32) and np.max(np.abs(maps - expected)) < 1e-5


def test_class_activation_maps_average_to_the_gap_head_scores():
    rng = np.random.default_rng(1)
    features = rng.random((4, 6, 6, 8))
    inputs = keras.Input((6, 6, 8))
    dense = keras.layers.Dense(3, dtype="float64")
    head = keras.Model(inputs, dense(keras.layers.GlobalAveragePooling2D(dtype="float64")(inputs)))
    weights, bias = rng.standard_normal((8, 3)), rng.standard_normal(3)
    dense.set_weights([weights, bias])
    scores = np.asarray(head(features))
    for c in range(3):
        cam = cnn.class_activation_maps(features, weights, c)
        assert cam.shape == (4, 6, 6)
        assert rel_error(cam.mean(axis=(1, 2)) + bias[c], scores[:, c]) < 1e-6  # Keras inputs are float32
    with pytest.raises(ValueError, match="should have shape"):
        cnn.class_activation_maps(features, weights[:5], 0)


@pytest.mark.parametrize("rate", [2, 3])
def test_dilated_kernel_reproduces_keras_dilation(rate):
    rng = np.random.default_rng(rate)
    x, w = rng.standard_normal((2, 13, 11, 2)), rng.standard_normal((3, 2, 2, 3))
    layer = keras.layers.Conv2D(3, (3, 2), dilation_rate=rate, dtype="float64")
    layer.build(x.shape)
    layer.set_weights([w, np.zeros(3)])
    assert rel_error(conv.conv2d_im2col(x, cnn.dilate_kernel(w, rate)), np.asarray(layer(x))) < 1e-10


def test_inception_module_count_and_the_googlenet_table():
    inputs = keras.Input((28, 28, 192))
    sizes = (64, 96, 128, 16, 32, 32)  # inception (3a)
    block = keras.Model(inputs, cnn.inception_module(inputs, *sizes))
    weights = cnn.inception_weights(192, *sizes)
    assert block.count_params() == weights + sum(sizes)
    assert block.output.shape[1:] == (28, 28, 256)
    assert int(weights / 1024) == 159 and round(28 * 28 * weights / 1e6) == 128  # as the table prints
    assert round(28 * 28 * cnn.inception_weights(256, 128, 128, 192, 32, 96, 64) / 1e6) == 304


def test_residual_blocks_and_the_decks_bottleneck_numbers():
    inputs = keras.Input((8, 8, 256))
    bottleneck = keras.Model(inputs, cnn.residual_block(inputs, 256, bottleneck=64))
    basic = keras.Model(inputs, cnn.residual_block(inputs, 256, name="basic"))
    assert bottleneck.count_params() == 256 * 64 + 64 * 64 * 9 + 64 * 256 == 69_632
    assert basic.count_params() == 2 * 256 * 256 * 9
    x = np.random.default_rng(2).standard_normal((1, 8, 8, 256)).astype(np.float32)
    assert np.all(np.asarray(bottleneck(x)) >= 0) and bottleneck(x).shape == x.shape


def test_alexnet_and_vgg16_counts_against_keras():
    alex = cnn.alexnet()
    assert alex.get_layer("conv1").output.shape[1:] == (55, 55, 96)
    expected = (cnn.conv_params(11, 11, 3, 96) + cnn.conv_params(5, 5, 96, 256) + cnn.conv_params(3, 3, 256, 384)
                + cnn.conv_params(3, 3, 384, 384) + cnn.conv_params(3, 3, 384, 256)
                + cnn.dense_params(6 * 6 * 256, 4096) + cnn.dense_params(4096, 4096) + cnn.dense_params(4096, 1000))
    assert alex.count_params() == expected
    del alex
    vgg = keras.applications.VGG16(weights=None)  # the architecture only: nothing downloads
    assert vgg.count_params() == cnn.vgg16_hand_count()


def test_preactivation_block_is_the_identity_with_zero_weights_and_passes_the_gradient_whole():
    tf = pytest.importorskip("tensorflow")
    inputs = keras.Input((4, 4, 3))
    for preactivation in (False, True):
        block = keras.Model(inputs, cnn.residual_block(inputs, 3, preactivation=preactivation, name="r"))
        block.set_weights([np.zeros_like(w) for w in block.get_weights()])
        x = tf.constant(np.random.default_rng(3).standard_normal((1, 4, 4, 3)).astype(np.float32))
        with tf.GradientTape() as tape:
            tape.watch(x)
            out = block(x)
        gradient = tape.gradient(out, x).numpy()  # d(sum of the outputs)/dx
        if preactivation:
            assert np.array_equal(out.numpy(), x.numpy()) and np.all(gradient == 1)
        else:  # relu(x + 0): negative inputs are cut, and so is their gradient
            assert np.array_equal(out.numpy(), np.maximum(x.numpy(), 0))
            assert np.array_equal(gradient, (x.numpy() > 0).astype(np.float32))
    names = [layer.name for layer in keras.Model(inputs, cnn.residual_block(inputs, 3, preactivation=True)).layers]
    assert names.index("res_a_relu") < names.index("res_a") < names.index("res_b_relu") < names.index("res_b")


def test_conv_net_follows_the_recipe():
    model = cnn.conv_net(blocks=3, convs_per_block=2, dense_layers=2, filters=8, units=32, input_shape=(32, 32, 1))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == (["Conv2D"] * 2 + ["MaxPooling2D"]) * 3 + ["Flatten", "Dense", "Dense", "Dense"]
    assert model.get_layer("block3_conv1").output.shape[1:] == (8, 8, 32)
    assert model.get_layer("block3_pool").output.shape[1:] == (4, 4, 32)
    assert model.get_layer("block1_conv1").count_params() == cnn.conv_params(3, 3, 1, 8)
    assert model.get_layer("block2_conv1").count_params() == cnn.conv_params(3, 3, 8, 16)
    assert model.layers[-1].output.shape[-1] == 10


@pytest.mark.parametrize("depth_radius, bias, alpha, beta", [(2, 2.0, 1e-4, 0.75), (1, 1.0, 0.5, 0.5), (0, 0.5, 2.0, 1.0)])
def test_local_response_normalization_matches_tensorflow(depth_radius, bias, alpha, beta):
    tf = pytest.importorskip("tensorflow")
    a = np.random.default_rng(depth_radius).standard_normal((2, 3, 4, 7)) * 3
    ours = cnn.local_response_normalization(a, depth_radius, bias, alpha, beta)
    theirs = tf.nn.local_response_normalization(a.astype(np.float32), depth_radius=depth_radius, bias=bias,
                                                alpha=alpha, beta=beta)  # TensorFlow's LRN is float32 only
    assert rel_error(ours, theirs.numpy()) < 1e-6
    # channel 0 by the formula, written out: its window is channels 0..depth_radius
    expected = a[..., 0] / (bias + alpha * np.sum(a[..., :depth_radius + 1] ** 2, axis=-1)) ** beta
    assert rel_error(ours[..., 0], expected) < 1e-12
    with pytest.raises(ValueError, match="depth_radius"):
        cnn.local_response_normalization(a, -1)


def test_nearest_neighbours_by_cosine_match_scikit_learn():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(4)
    gallery, queries = rng.standard_normal((50, 6)), rng.standard_normal((20, 6))
    expected = NearestNeighbors(n_neighbors=1, metric="cosine").fit(gallery).kneighbors(queries)[1][:, 0]
    assert np.array_equal(cnn.nearest_neighbours(queries, gallery), expected)
    assert np.array_equal(cnn.nearest_neighbours(3 * gallery[:5], gallery), np.arange(5))  # scale does not matter
    with pytest.raises(ValueError, match="should have shape"):
        cnn.nearest_neighbours(queries, gallery[:, :5])
