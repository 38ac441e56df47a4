"""Quick mode, seeding, missing packages and the device message."""

import json
import subprocess
import sys
import types

import numpy as np
import pytest

from dlcourse import runtime


@pytest.mark.parametrize(
    "env, expected",
    [({}, False), ({"DLCOURSE_QUICK": "1"}, True), ({"DLCOURSE_QUICK": "no"}, False),
     ({"DLCOURSE_QUICK": "True"}, True), ({"NBGRADER_EXECUTION": "autograde"}, True)],
)
def test_quick_mode_follows_the_environment(monkeypatch, env, expected):
    monkeypatch.delenv("DLCOURSE_QUICK", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert runtime.quick_mode() is expected
    assert runtime.by_mode("small", "large") == ("small" if expected else "large")


def test_seed_everything_makes_runs_repeat():
    first = runtime.seed_everything(3).normal(size=4), np.random.rand(2)
    second = runtime.seed_everything(3).normal(size=4), np.random.rand(2)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
    assert not np.array_equal(first[0], runtime.seed_everything(4).normal(size=4))


def test_missing_package_message_says_how_to_install():
    with pytest.raises(runtime.MissingPackageError) as error:
        runtime.require("no_such_package_here", "Lesson 99")
    message = str(error.value)
    assert "Lesson 99" in message and "no_such_package_here" in message
    assert "./course lab" in message and "requirements.txt" in message
    assert isinstance(error.value, ImportError)


def fake_tensorflow(gpu_names):
    """A stand-in for tf.config with the given GPUs, to test both branches here."""
    gpus = [types.SimpleNamespace(name=f"/physical_device:GPU:{i}") for i in range(len(gpu_names))]
    experimental = types.SimpleNamespace(
        get_device_details=lambda gpu: {"device_name": gpu_names[int(gpu.name[-1])]}
    )
    config = types.SimpleNamespace(list_physical_devices=lambda kind: gpus, experimental=experimental)
    return types.SimpleNamespace(config=config)


def test_device_message_without_a_gpu_says_cpu_and_that_all_still_runs():
    message = runtime.describe_devices(fake_tensorflow([]))
    assert message.startswith("No GPU found: training on the CPU")
    assert "still runs" in message


def test_device_message_names_the_gpus():
    message = runtime.describe_devices(fake_tensorflow(["NVIDIA H100", "NVIDIA H100"]))
    assert message == "Training on GPU: NVIDIA H100, NVIDIA H100"


def test_setup_keras_seeds_and_reports_the_real_device(capsys):
    keras = runtime.setup_keras(seed=5)
    first = keras.random.normal((3,)).numpy()
    runtime.setup_keras(seed=5)
    second = keras.random.normal((3,)).numpy()
    assert np.array_equal(first, second)
    printed = capsys.readouterr().out
    assert "GPU" in printed  # "Training on GPU: ..." or "No GPU found: ..."


def test_determinism_switches_tf32_off_and_only_then():
    """TF32 would make float32 products 1e-3 off on Ampere and later GPUs, where TensorFlow
    turns it on by default; a fresh process, so that no earlier setup_keras counts."""
    script = (
        "import json, tensorflow as tf\n"
        "from dlcourse import runtime\n"
        "enabled = tf.config.experimental.tensor_float_32_execution_enabled\n"
        "seen = {'default': enabled()}\n"
        "runtime.setup_keras(0, deterministic=False)\n"
        "seen['not deterministic'] = enabled()\n"
        "runtime.setup_keras(0)\n"
        "seen['deterministic'] = enabled()\n"
        "print(json.dumps(seen))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen == {"default": True, "not deterministic": True, "deterministic": False}


def test_report_prints_one_readable_line(capsys):
    assert runtime.report("test accuracy", np.float32(0.91234)) is None  # no stray value in a notebook
    runtime.report("test MAE (sunspots)", 12.3456)
    assert capsys.readouterr().out.splitlines() == [
        "Result: test accuracy = 0.9123", "Result: test MAE (sunspots) = 12.35"]
