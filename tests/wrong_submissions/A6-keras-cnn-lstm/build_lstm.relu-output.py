# fails: test_lstm_architecture
# why: a ReLU on the output layer: a regression's last layer should be linear
def build_lstm(window):
    return keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.LSTM(32),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="relu"),
    ])
