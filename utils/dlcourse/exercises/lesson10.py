"""Lesson 10's "your turn" checks: predict a Keras layer's parameter count and
multiplications, checked against the real model."""

from dlcourse import cnn, conv
from dlcourse.exercises import exercise


def _fashion_cnn_without_pool1():
    """lesson 10's Fashion-MNIST CNN with its first max-pooling layer removed (not trained)."""
    import keras

    model = cnn.fashion_cnn()
    return keras.Sequential([keras.Input((28, 28, 1))] + [layer.__class__.from_config(layer.get_config())
                                                         for layer in model.layers if layer.name != "pool1"])


@exercise(
    task="set dense_parameters to the parameter count of the 'features' Dense(128) layer once pool1 is removed",
    right=1_179_776,
    wrong=1_179_648,
    praise="the dense layer now has 9,216 inputs and almost 1.2 million parameters",
)
def check_dense_parameters(dense_parameters):
    model = _fashion_cnn_without_pool1()
    layer = model.get_layer("features")
    expected = layer.count_params()
    if dense_parameters == expected:
        return None
    inputs = layer.input.shape[-1]
    if dense_parameters == inputs * 128:
        return "close: each of the 128 units also has a bias"
    if dense_parameters == 204_928:
        return "that is the count with pool1: without it, what size is conv2's input, and its output after pool2?"
    return ("not the count Keras gives: follow the sizes 28 -> conv1 -> conv2 -> pool2 (3x3 valid convolutions "
            "shrink by 2, pooling halves), flatten the 64 maps, then count (n_in + 1) * n_out")


@exercise(
    task="set multiplies to the multiplications AlexNet's first layer (96 filters 11x11x3, stride 4, 227x227x3 input) does per image",
    right=105_415_200,
    wrong=34_944 * 55 * 55,
    praise="one multiplication per weight of a filter, per output value: 55*55*96 outputs times 11*11*3",
)
def check_conv1_multiplies(multiplies):
    height = width = conv.output_size(227, 11, 0, 4)
    filters = 96
    expected = height * width * filters * 11 * 11 * 3
    if multiplies == expected:
        return None
    if multiplies == 34_944:
        return "that is the layer's parameter count: each weight is used once per output position"
    if multiplies == 34_944 * height * width:
        return "that counts the bias as a multiplication: the bias is added, not multiplied"
    if multiplies == height * width * 11 * 11 * 3 * 96 * 96:
        return "each output value uses one filter (11x11x3 weights), not all 96"
    return (f"the output is {height}x{width}x{filters}: how many multiplications does one output "
            "value need, and how many output values are there?")
