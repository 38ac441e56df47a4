# fails: test_cnn_architecture, test_cnn_accuracy
# why: the last Dense layer outputs logits (no softmax), but the loss expects probabilities
def build_cnn(input_shape=(28, 28, 1), n_classes=10):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(n_classes),
    ])
