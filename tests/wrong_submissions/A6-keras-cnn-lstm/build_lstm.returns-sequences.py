# fails: test_lstm_architecture, test_lstm_forecast
# why: return_sequences=True makes the model predict one number per time step, shape (N, window, 1)
def build_lstm(window):
    return keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.LSTM(32, return_sequences=True),
        keras.layers.Dense(1),
    ])
