# fails: test_lstm_architecture, test_lstm_forecast
# why: Input(shape=(window,)) leaves out the feature axis, so the LSTM gets 2-D input and the model cannot be built
def build_lstm(window):
    return keras.Sequential([
        keras.Input(shape=(window,)),
        keras.layers.LSTM(32),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1),
    ])
