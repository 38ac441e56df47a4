# fails: test_cnn_accuracy
# why: no ReLU and average pooling: every layer is linear, so the whole CNN is a linear classifier
def build_cnn(input_shape=(28, 28, 1), n_classes=10):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(16, 3),
        layers.AveragePooling2D(2),
        layers.Conv2D(32, 3),
        layers.AveragePooling2D(2),
        layers.Flatten(),
        layers.Dense(64),
        layers.Dense(n_classes, activation="softmax"),
    ])
