# fails: test_cnn_architecture
# why: strided convolution but no pooling layer, which the task asks for
def build_cnn(input_shape=(28, 28, 1), n_classes=10):
    return keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
