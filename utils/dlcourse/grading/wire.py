"""How the judge and the sandboxed kernel talk: values by value, over a pair of pipes.

A message is a JSON header followed by raw array buffers. There is no pickle: nothing
the kernel sends can run code in the judge, it can only be data. What crosses:

    None, bool, int, float, complex, str, bytes, list, tuple, dict (str or int keys)
    NumPy arrays and scalars of bool, integer, float or complex dtype
    NumPy random Generators (by state)
    Keras models, kernel -> judge only (the architecture: Keras's standard layers only;
        the judge builds it with fresh weights)
    callables, judge -> kernel only: the kernel calls them back through the judge

The callee reports which array or Generator arguments it changed. The kernel copies
the judge's changes back into its own; the judge never takes changes into its arrays
(a test's inputs stay what the test made them) and fails a call that changed one.
"""

import builtins
import hashlib
import json
import os
import select
import struct
import time

import numpy as np

MAX_HEADER = 16 << 20  # bytes of JSON in one message
MAX_MESSAGE = 1 << 30  # bytes of array buffers in one message
MAX_MODEL_PARAMS = 5_000_000  # the judge rebuilds and may train a model: keep it small
MAX_MODEL_NUMBER = 65_536  # no unit count, kernel or upsampling size in a model config above this
NUMERIC_KINDS = "biufc"
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
# What a model from the kernel may be built of: Keras's own standard layers and their
# parts. Not Lambda (code), TFSMLayer (a saved graph, which can read and write files),
# nor text layers that load vocabularies from paths.
KERAS_LAYERS = {
    "InputLayer", "Dense", "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv2D",
    "Conv2DTranspose", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalAveragePooling1D",
    "GlobalAveragePooling2D", "Flatten", "Reshape", "Permute", "RepeatVector", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "BatchNormalization", "LayerNormalization",
    "Activation", "ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax", "LSTM", "GRU", "SimpleRNN", "Bidirectional",
    "TimeDistributed", "Embedding", "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "UpSampling1D", "UpSampling2D", "Rescaling",
}
KERAS_OBJECTS = {  # module -> the class names allowed from it (None: any)
    "keras": {"DTypePolicy", "FloatDTypePolicy", "Sequential", "Functional"},
    "keras.layers": KERAS_LAYERS,
    "keras.src.models.functional": {"Functional"},
    "keras.initializers": None,
    "keras.regularizers": None,
    "keras.constraints": None,
    None: {"__keras_tensor__"},
}
BUILTIN_ERRORS = {
    name: error for name, error in vars(builtins).items() if isinstance(error, type) and issubclass(error, Exception)
}


class WireError(Exception):
    """The other side sent something that is not a well-formed message."""


class KernelDied(Exception):
    """The sandboxed kernel is gone (it exited, crashed, or ran out of time or memory)."""


class StudentError(Exception):
    """An error raised by the student's code whose type is not one of Python's own."""


class Unsendable(TypeError):
    """A value of a type that cannot cross to the other side."""


class RemoteFunction:
    """The judge's handle on a function in the student's kernel, called there by name."""

    def __init__(self, name, call):
        self.remote_name = self.__name__ = name
        self.call = call

    def __call__(self, *args, **kwargs):
        return self.call(self.remote_name, args, kwargs)

    def __repr__(self):
        return f"<the student's function {self.remote_name}>"


def student_error(name, message):
    """The exception to raise in the judge for an error the student's code raised."""
    error = BUILTIN_ERRORS.get(name)
    if error is None or name in ("StopIteration", "StopAsyncIteration"):
        return StudentError(f"{name}: {message}")
    try:
        return error(message)
    except Exception:
        return StudentError(f"{name}: {message}")


class Encoder:
    """Turns a value into a JSON tree plus buffers; remembers the mutable leaves.

    ``callbacks`` (a list) is where the judge keeps the callables it sends, so that a
    later ``callback`` request can name them by index; ``None`` in the kernel.
    """

    def __init__(self, callbacks=None):
        self.buffers = []
        self.leaves = []
        self.callbacks = callbacks

    def encode(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and not isinstance(value, np.integer):
            return value
        if isinstance(value, float) and not isinstance(value, np.floating):
            return {"float": repr(value)}
        if isinstance(value, complex) and not isinstance(value, np.complexfloating):
            return {"complex": [repr(value.real), repr(value.imag)]}
        if isinstance(value, (bytes, bytearray)):
            self.buffers.append(bytes(value))
            return {"bytes": len(self.buffers) - 1}
        if isinstance(value, np.ndarray):
            self.leaves.append(value)
            return self.array(value)
        if isinstance(value, np.generic):
            return {"scalar": self.array(np.asarray(value))}
        if isinstance(value, np.random.Generator):
            self.leaves.append(value)
            return {"rng": self.encode(value.bit_generator.state)}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return {"list": [self.encode(v) for v in value]}
        if isinstance(value, dict):
            if not all(isinstance(k, (str, int)) for k in value):
                raise Unsendable("a dict with keys other than strings or integers")
            return {"dict": [[k, self.encode(v)] for k, v in value.items()]}
        if isinstance(value, RemoteFunction):
            return {"global": value.remote_name}  # a student's function, sent back to its kernel
        if self.callbacks is not None and callable(value):
            self.callbacks.append(value)
            return {"callback": len(self.callbacks) - 1}
        if self.callbacks is None:
            return self.encode_foreign(value)
        raise Unsendable(f"a {type(value).__name__} object")

    def array(self, value):
        if value.dtype.kind not in NUMERIC_KINDS or value.dtype.fields is not None:
            raise Unsendable(f"an array of dtype {value.dtype}")
        data = np.asarray(value, order="C")  # (np.ascontiguousarray would make 0-d arrays 1-d)
        self.buffers.append(data.tobytes())
        return {"array": len(self.buffers) - 1, "dtype": data.dtype.str, "shape": list(data.shape)}

    def encode_foreign(self, value):
        """Kernel side: Keras models by config and weights, tensors as arrays."""
        keras = __import__("sys").modules.get("keras")
        if keras is not None and isinstance(value, keras.Model):
            return {"keras": value.to_json()}
        if hasattr(value, "__array__"):
            return self.encode(np.asarray(value))
        raise Unsendable(f"a {type(value).__module__}.{type(value).__name__} object")


class Decoder:
    """Turns a JSON tree plus buffers back into values; remembers the mutable leaves.

    ``call_back(index)`` makes the proxy for a callable the judge sent (kernel side);
    ``resolve_global(name)`` finds a function of the kernel's own namespace.
    """

    def __init__(self, buffers, call_back=None, resolve_global=None):
        self.buffers = buffers
        self.leaves = []
        self.call_back = call_back
        self.resolve_global = resolve_global

    def decode(self, tree):
        if tree is None or isinstance(tree, (bool, int, str)):
            return tree
        if not isinstance(tree, dict) or len(tree) not in (1, 2, 3):
            raise WireError(f"unexpected {type(tree).__name__}")
        if "float" in tree:
            return float(tree["float"])
        if "complex" in tree:
            return complex(float(tree["complex"][0]), float(tree["complex"][1]))
        if "bytes" in tree:
            return self.buffer(tree["bytes"])
        if "array" in tree:
            array = self.array(tree)
            self.leaves.append(array)
            return array
        if "scalar" in tree:
            return self.array(tree["scalar"])[()]
        if "rng" in tree:
            generator = self.generator(self.decode(tree["rng"]))
            self.leaves.append(generator)
            return generator
        if "tuple" in tree:
            return tuple(self.decode(v) for v in self.items(tree["tuple"]))
        if "list" in tree:
            return [self.decode(v) for v in self.items(tree["list"])]
        if "dict" in tree:
            pairs = self.items(tree["dict"])
            if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], (str, int)) for p in pairs):
                raise WireError("malformed dict")
            return {k: self.decode(v) for k, v in pairs}
        if "keras" in tree:
            return self.keras_model(tree)
        if "callback" in tree and self.call_back is not None:
            return self.call_back(int(tree["callback"]))
        if "global" in tree and self.resolve_global is not None:
            return self.resolve_global(str(tree["global"]))
        raise WireError(f"unexpected value {sorted(tree)}")

    @staticmethod
    def items(value):
        if not isinstance(value, list):
            raise WireError("expected a list")
        return value

    def buffer(self, index):
        if not isinstance(index, int) or not 0 <= index < len(self.buffers):
            raise WireError("no such buffer")
        return self.buffers[index]

    def array(self, tree):
        dtype = np.dtype(str(tree["dtype"]))
        shape = tuple(int(n) for n in self.items(tree["shape"]))
        if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None or any(n < 0 for n in shape):
            raise WireError(f"refused an array of dtype {dtype}")
        data = self.buffer(tree["array"])
        if len(data) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise WireError("array buffer of the wrong size")
        return np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    @staticmethod
    def generator(state):
        if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
            raise WireError("unknown random generator")
        bit_generator = getattr(np.random, state["bit_generator"])()
        bit_generator.state = state
        return np.random.Generator(bit_generator)

    @staticmethod
    def keras_model(tree):
        """Build a model from its architecture, with fresh weights, all layers trainable.

        Weights, frozen layers and compile settings from the kernel are not taken: a model
        pre-trained (on the test set, say) in the sandbox counts for nothing.
        """
        import keras

        config = json.loads(str(tree["keras"]))
        if not isinstance(config, dict):
            raise WireError("a model config should be a JSON object")
        config.pop("compile_config", None)
        check_model_config(config)
        model = keras.models.model_from_json(json.dumps(config))
        if model.count_params() > MAX_MODEL_PARAMS:
            raise WireError(f"the model has {model.count_params():,} parameters; the grader takes at most {MAX_MODEL_PARAMS:,}")
        for layer in model.layers:
            layer.trainable = True
        return model


def check_model_config(tree):
    """Raise unless every object in a model's config is one of KERAS_OBJECTS, with sizes
    the grader can afford (each number at most MAX_MODEL_NUMBER)."""
    if isinstance(tree, (int, float)) and not isinstance(tree, bool) and tree > MAX_MODEL_NUMBER:
        raise WireError(f"the model's config holds the size {tree}; the grader takes at most {MAX_MODEL_NUMBER}")
    if isinstance(tree, list):
        for item in tree:
            check_model_config(item)
    elif isinstance(tree, dict):
        if "class_name" in tree:
            module, name = tree.get("module"), tree["class_name"]
            allowed = KERAS_OBJECTS.get(module, set())
            registered = tree.get("registered_name")
            if (allowed is not None and name not in allowed) or registered not in (None, name):
                raise WireError(f"the grader takes models of Keras's standard layers only, not {module}.{name}")
        for value in tree.values():
            check_model_config(value)


def fingerprint(leaf):
    """Something that changes when an array's values or a generator's state change."""
    if isinstance(leaf, np.ndarray):
        return hashlib.blake2b(leaf.tobytes(), digest_size=16).digest() + str(leaf.shape).encode()
    return json.dumps(leaf.bit_generator.state, sort_keys=True, default=str).encode()


def changed_leaves(leaves, before, encoder):
    """[index, encoded value] for every leaf whose fingerprint changed."""
    return [[i, encoder.encode(leaf)] for i, (leaf, old) in enumerate(zip(leaves, before)) if fingerprint(leaf) != old]


def copy_back(leaves, changes, decoder):
    """Kernel side: apply the judge's changes to the kernel's arrays and generators."""
    for index, tree in changes:
        if not isinstance(index, int) or not 0 <= index < len(leaves):
            raise WireError("no such argument")
        leaf, new = leaves[index], decoder.decode(tree)
        if isinstance(leaf, np.ndarray) and isinstance(new, np.ndarray) and leaf.shape == new.shape:
            if leaf.flags.writeable:
                leaf[...] = new
        elif isinstance(leaf, np.random.Generator) and isinstance(new, np.random.Generator):
            leaf.bit_generator.state = new.bit_generator.state


class Channel:
    """Length-prefixed messages over two file descriptors, with an optional deadline."""

    def __init__(self, read_fd, write_fd):
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.deadline = None  # time.monotonic() after which reading gives up

    def send(self, header, buffers=()):
        header = dict(header, buffers=[len(b) for b in buffers])
        payload = json.dumps(header).encode()
        parts = [struct.pack(">Q", len(payload)), payload, *buffers]
        data = memoryview(b"".join(parts))
        while data:
            self.wait_for(self.write_fd, writing=True)
            try:
                written = os.write(self.write_fd, data)
            except BlockingIOError:
                continue
            except OSError as error:
                raise KernelDied(f"the other side closed the pipe ({error.__class__.__name__})") from None
            data = data[written:]

    def wait_for(self, fd, writing=False):
        """Block until ``fd`` is ready, or raise TimeoutError at the deadline (if there is one)."""
        wait = None if self.deadline is None else max(self.deadline - time.monotonic(), 0)
        readable, writable, _ = select.select([] if writing else [fd], [fd] if writing else [], [], wait)
        if not (writable or readable):
            raise TimeoutError("the kernel did not answer in time")

    def receive(self):
        size = struct.unpack(">Q", self.read_exactly(8))[0]
        if size > MAX_HEADER:
            raise WireError(f"a message header of {size} bytes")
        try:
            header = json.loads(self.read_exactly(size))
        except (ValueError, RecursionError) as error:
            raise WireError(f"unreadable message: {error}") from None
        sizes = header.get("buffers") if isinstance(header, dict) else None
        if not isinstance(sizes, list) or not all(isinstance(n, int) and n >= 0 for n in sizes) or sum(sizes) > MAX_MESSAGE:
            raise WireError("malformed message header")
        return header, [self.read_exactly(n) for n in sizes]

    def read_exactly(self, size):
        chunks, left = [], size
        while left:
            self.wait_for(self.read_fd)
            chunk = os.read(self.read_fd, min(left, 1 << 20))
            if not chunk:
                raise KernelDied("the kernel exited")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
