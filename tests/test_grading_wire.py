"""What crosses between the sandboxed kernel and the judge: data only (dlcourse/grading/wire.py)."""

import json

import numpy as np
import pytest

from dlcourse.grading import wire


def roundtrip(value, callbacks=None):
    encoder = wire.Encoder(callbacks)
    tree = encoder.encode(value)
    return wire.Decoder(encoder.buffers).decode(json.loads(json.dumps(tree)))


def test_values_keep_their_types_shapes_and_dtypes():
    value = (np.float64(2.5), np.int32(7), 3, 1.0, True, None, "text", [np.zeros(()), np.arange(6).reshape(2, 3)],
             {"a": np.ones(2, dtype=np.float32), 1: complex(1, 2)})
    back = roundtrip(value)
    assert type(back) is tuple and type(back[0]) is np.float64 and type(back[1]) is np.int32
    assert back[2:7] == (3, 1.0, True, None, "text") and type(back[3]) is float
    assert back[7][0].shape == () and back[7][1].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back[8]["a"].dtype == np.float32 and back[8][1] == complex(1, 2)
    assert np.isnan(roundtrip(float("nan")))


def test_objects_that_could_carry_code_do_not_cross():
    for value in (np.array([object()], dtype=object), {(1, 2): 3}, lambda: 1):
        with pytest.raises(wire.Unsendable):
            wire.Encoder().encode(value)
    with pytest.raises(wire.WireError):  # the judge never takes a callable from the kernel
        wire.Decoder([]).decode({"callback": 0})
    with pytest.raises(wire.WireError):
        wire.Decoder([b"\0" * 8]).decode({"array": 0, "dtype": "|O", "shape": [1]})
    with pytest.raises(wire.WireError):  # a buffer of the wrong size
        wire.Decoder([b"\0" * 7]).decode({"array": 0, "dtype": "<f8", "shape": [1]})


def test_the_kernel_reports_what_it_changed_and_takes_the_judges_changes():
    x, rng = np.zeros(3), np.random.default_rng(0)
    encoder = wire.Encoder()
    args = encoder.encode([x, rng])
    decoder = wire.Decoder(encoder.buffers)
    their_x, their_rng = decoder.decode(args)
    before = [wire.fingerprint(leaf) for leaf in decoder.leaves]
    their_x[1] = 5.0
    expected = their_rng.random()
    reply = wire.Encoder()
    changes = wire.changed_leaves(decoder.leaves, before, reply)
    wire.copy_back(encoder.leaves, json.loads(json.dumps(changes)), wire.Decoder(reply.buffers))
    assert x.tolist() == [0.0, 5.0, 0.0]
    assert rng.random() == np.random.default_rng(0).random(2)[1] and expected == np.random.default_rng(0).random()


def cross(model):
    encoder = wire.Encoder()
    return wire.Decoder(encoder.buffers).decode(encoder.encode_foreign(model))


def test_keras_models_cross_as_an_architecture_of_standard_layers():
    import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")  # compile settings are dropped
    model.layers[0].trainable = False
    rebuilt = cross(model)
    assert [type(layer).__name__ for layer in rebuilt.layers] == ["Conv2D", "Flatten", "Dense"]
    assert rebuilt.count_params() == model.count_params() and all(layer.trainable for layer in rebuilt.layers)
    assert not np.allclose(rebuilt.layers[0].get_weights()[0], model.layers[0].get_weights()[0])  # fresh weights
    with pytest.raises(wire.WireError, match="Lambda"):
        cross(keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)]))
    with pytest.raises(wire.WireError, match="size"):
        cross(keras.Sequential([keras.Input((3,)), keras.layers.Dense(100_000)]))
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["class_name"] = "TFSMLayer"  # would load a saved graph from a path
    with pytest.raises(wire.WireError, match="TFSMLayer"):
        wire.check_model_config(config)
