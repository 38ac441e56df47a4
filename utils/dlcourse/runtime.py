"""Run-time settings shared by every notebook: quick mode, seeds, devices, packages.

Quick mode shrinks data and epochs so that the test suite runs every cell in
seconds. It is on when ``DLCOURSE_QUICK`` is set to a true value, or when nbgrader
executes a notebook (nbgrader sets ``NBGRADER_EXECUTION``). It never skips a cell.
"""

import importlib
import os
import random
import sys

import numpy as np

from dlcourse.kernelspec import QUIET_TENSORFLOW

# TensorFlow's C++ start-up chatter is not for students; Python errors and warnings still
# show. The course's kernel spec sets these before TensorFlow loads (dlcourse.kernelspec);
# this covers plain Python that imports dlcourse before TensorFlow.
for _name, _value in QUIET_TENSORFLOW.items():
    os.environ.setdefault(_name, _value)

QUICK_ENV = "DLCOURSE_QUICK"
_TRUE = {"1", "true", "yes", "on"}


def quick_mode():
    """True when notebooks should run on small data and few epochs."""
    if os.environ.get(QUICK_ENV, "").strip().lower() in _TRUE:
        return True
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def by_mode(quick, full):
    """Return ``quick`` in quick mode and ``full`` otherwise (e.g. epochs)."""
    return quick if quick_mode() else full


def seed_everything(seed=0):
    """Seed Python, NumPy and (if it is already imported) TensorFlow/Keras.

    Returns a NumPy ``Generator`` seeded with ``seed`` for the notebook to use.
    """
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras

        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)


class MissingPackageError(ImportError):
    """A package the course needs is not installed in the running Python."""


def require(module, purpose="this lesson"):
    """Import ``module`` or raise an error that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise MissingPackageError(
            f"{purpose} needs the Python package '{module}', which this kernel "
            f"({sys.executable}) cannot import ({error}).\n"
            "Fix: from the course folder run `./course lab` (it installs the pinned "
            "packages into .venv and starts JupyterLab with that Python), or run "
            "`pip install -r requirements.txt -e .` in the environment of this kernel."
        ) from None


def cpu_cores():
    """The cores this process may run on (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def describe_devices(tf=None):
    """Say which device TensorFlow will train on, as one readable line."""
    tf = tf or require("tensorflow", "Training with Keras")
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        return f"Training on GPU: {', '.join(names)}"
    return (
        f"No GPU found: training on the CPU ({cpu_cores()} cores). "
        "Every cell still runs; a GPU only makes the full-size runs faster."
    )


def setup_keras(seed=0, deterministic=True):
    """Import Keras for a lesson: seed it, make it deterministic, print the device.

    Returns the ``keras`` module. ``deterministic=True`` (the default) does two things:

    - ``tf.config.experimental.enable_op_determinism()``: an op run again on the same
      inputs, on the same machine and software, gives the same bits. Ops with a
      deterministic GPU algorithm use it; TensorFlow's documentation says that some ops
      without one raise ``UnimplementedError`` and that, through bugs, some may stay
      nondeterministic without raising.
    - TF32 off (``tf.config.experimental.enable_tensor_float_32_execution(False)``): on
      NVIDIA GPUs since Ampere, TensorFlow by default runs float32 matrix products and
      convolutions in TF32, which rounds their inputs to a 10-bit mantissa (relative
      error about 1e-3 instead of float32's 1e-7). The lessons check Keras's float32
      against NumPy's float64 at 1e-5 to 1e-4, and a lesson that asks for determinism
      means float32 to be float32 on every device. On a CPU nothing changes.

    Not promised: on a GPU, Keras's ``LSTM`` and ``GRU`` run on cuDNN's fused kernels,
    which TensorFlow neither lists as deterministic nor refuses under op determinism
    (its kernels pass the request on to cuDNN; TensorFlow issue #59281 reports runs
    that differ), so do not count on bit-identical reruns of those layers there.
    ``deterministic=False`` leaves TensorFlow's settings alone (in a fresh kernel, its
    defaults: faster on a GPU, TF32 on).
    """
    tf = require("tensorflow", "Training with Keras")
    keras = require("keras", "Training with Keras")
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
        tf.config.experimental.enable_tensor_float_32_execution(False)
    print(describe_devices(tf))
    return keras


RESULT_PREFIX = "Result: "


def report(name, value):
    """Print one result of a notebook as ``Result: name = value`` (4 significant digits).

    ``./course bench --gpu`` reads these lines from the executed notebook for its table.
    """
    print(f"{RESULT_PREFIX}{name} = {value:.4g}")
