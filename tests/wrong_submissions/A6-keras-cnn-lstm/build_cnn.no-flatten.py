# fails: test_cnn_architecture, test_cnn_accuracy
# why: no Flatten before the Dense layer: Dense acts on every pixel's channels, so the output is one softmax per position, not one per image, and training fails on the labels' shape
def build_cnn(input_shape=(28, 28, 1), n_classes=10):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Dense(n_classes, activation="softmax"),
    ])
