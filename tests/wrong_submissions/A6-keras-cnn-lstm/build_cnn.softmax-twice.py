# fails: test_cnn_accuracy
# why: a softmax layer after the softmax output squashes the probabilities towards uniform and stalls training
def build_cnn(input_shape=(28, 28, 1), n_classes=10):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(16, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(n_classes, activation="softmax"),
        layers.Softmax(),
    ])
