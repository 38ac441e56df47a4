# fails: test_lstm_forecast
# why: LSTM(1): one memory cell (14 parameters) cannot do better than a linear autoregression
def build_lstm(window):
    return keras.Sequential([
        keras.Input(shape=(window, 1)),
        keras.layers.LSTM(1),
        keras.layers.Dense(1),
    ])
