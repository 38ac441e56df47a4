"""The course's kernel spec: TensorFlow starts quietly in every kernel the course starts.

The installed ``python3`` spec (what JupyterLab finds with ./course's JUPYTER_PATH) carries
dlcourse.kernelspec's environment and the virtual environment's Python; a kernel started
from it in a user's environment, as Lab starts it, shows no stderr when a lesson imports
TensorFlow and fits a Keras model; ./course and the grader's sandbox use the same settings.
"""

import ast
import json
import os
import queue
import re
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from dlcourse import kernelspec, nbrun
from dlcourse.grading import sandbox

ROOT = Path(__file__).resolve().parents[1]
VENV_JUPYTER = Path(sys.prefix, "share", "jupyter")
FIT = """
import numpy as np
import tensorflow as tf
import keras
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
x = np.random.default_rng(0).random((64, 4), dtype=np.float32)
model.fit(x, x.sum(axis=1), epochs=2, batch_size=16, verbose=0)
print("fitted")
"""
PROBE = "import os; os.write(2, b'native stderr probe\\n')"


def installed_spec(monkeypatch):
    """The python3 spec as JupyterLab started by ./course finds it."""
    monkeypatch.setenv("JUPYTER_PATH", str(VENV_JUPYTER))
    return KernelSpecManager().get_kernel_spec(kernelspec.NAME)


def test_installed_kernel_spec_quiets_tensorflow_and_runs_this_python(monkeypatch):
    spec = installed_spec(monkeypatch)
    assert Path(spec.resource_dir) == VENV_JUPYTER / "kernels" / "python3", (
        f"JupyterLab would start {spec.resource_dir}, not the course's kernel"
    )
    assert spec.env == kernelspec.QUIET_TENSORFLOW, (
        f"{spec.resource_dir}/kernel.json lacks the course's settings: run `{sys.executable} -m dlcourse.kernelspec` "
        "(./course does after installing)"
    )
    assert spec.argv[0] == kernelspec.venv_python() and os.path.samefile(spec.argv[0], sys.executable)
    assert spec.argv[1:] == ["-m", "ipykernel_launcher", f"--IPKernelApp.kernel_class={kernelspec.KERNEL_CLASS}",
                             "-f", "{connection_file}"]
    # What notebooks' metadata.kernelspec records (tests/test_notebook_metadata.py).
    assert (spec.display_name, spec.language) == ("Python 3 (ipykernel)", "python")


def test_install_keeps_ipykernels_spec_and_adds_the_settings(tmp_path):
    folder = tmp_path / "share" / "jupyter" / "kernels" / "python3"
    shutil.copytree(VENV_JUPYTER / "kernels" / "python3", folder)
    ipykernel_spec = json.loads((folder / "kernel.json").read_text())
    for _ in range(2):  # ./course runs it after every install
        path = kernelspec.install(prefix=tmp_path, python="/course/.venv/bin/python")
        assert path == folder / "kernel.json"
        spec = json.loads(path.read_text())
        assert spec["env"] == kernelspec.QUIET_TENSORFLOW
        assert spec["argv"][:3] + spec["argv"][-2:] == [
            "/course/.venv/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        for key in set(ipykernel_spec) - {"argv", "env"}:
            assert spec[key] == ipykernel_spec[key], key
    assert {p.name for p in folder.iterdir()} >= {"kernel.json", "logo-64x64.png"}
    # Without ipykernel's spec (a bare prefix), the same names.
    spec = json.loads(kernelspec.install(prefix=tmp_path / "bare").read_text())
    assert (spec["display_name"], spec["language"], spec["env"]) == (
        "Python 3 (ipykernel)", "python", kernelspec.QUIET_TENSORFLOW)


def streams(client, code, timeout=180):
    """Run ``code``; return [(stream name, text)] of everything the kernel published meanwhile."""
    msg_id = client.execute(code)
    seen, done = [], False
    while not done:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"the kernel did not finish:\n{code}")
        if msg["msg_type"] == "stream":
            seen.append((msg["content"]["name"], msg["content"]["text"]))
        elif msg["msg_type"] == "error":
            raise AssertionError("\n".join(msg["content"]["traceback"]))
        done = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
            and msg["parent_header"].get("msg_id") == msg_id
    return seen


def test_kernel_started_as_lab_starts_it_shows_no_tensorflow_chatter(monkeypatch):
    installed_spec(monkeypatch)
    manager = KernelManager(kernel_name=kernelspec.NAME)
    manager.start_kernel(env=nbrun.user_environment(quick=True))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        fitted = streams(client, FIT)
        # Whatever TensorFlow's threads write lands before a later cell's output ends.
        after = streams(client, "import sys, time; time.sleep(1); sys.stderr.flush()")
        probe = streams(client, PROBE)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    # This kernel forwards native stderr, as Lab's does (under pytest's environment it would not).
    assert ("stderr", "native stderr probe\n") in probe, probe
    assert ("stdout", "fitted\n") in fitted
    chatter = [text for name, text in fitted + after if name == "stderr"]
    assert not chatter, "TensorFlow's start-up lines reach the notebook:\n" + "".join(chatter)


def launcher_quiet_tensorflow():
    """The QUIET_TENSORFLOW dict literal in ./course (a Python script, or one line of another)."""
    text = (ROOT / "course").read_text()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "QUIET_TENSORFLOW" for t in node.targets):
                return ast.literal_eval(node.value)
    line = re.search(r"^\s*QUIET_TENSORFLOW\s*=\s*(\{.*\})\s*$", text, flags=re.M)
    assert line, "./course has no line `QUIET_TENSORFLOW = {...}` (the settings it exports to pytest, bench, grade)"
    return ast.literal_eval(line.group(1))


def test_launcher_exports_the_kernel_specs_settings():
    assert launcher_quiet_tensorflow() == kernelspec.QUIET_TENSORFLOW


def test_launcher_installs_the_kernel_spec():
    assert "dlcourse.kernelspec" in (ROOT / "course").read_text()
    assert "python -m dlcourse.kernelspec" in (ROOT / "postBuild").read_text()


def test_graders_kernel_is_as_quiet_as_the_students():
    environment = sandbox.environment()
    assert {name: environment.get(name) for name in kernelspec.QUIET_TENSORFLOW} == kernelspec.QUIET_TENSORFLOW


def test_a_course_folder_that_links_the_venv_leaves_the_spec_on_the_real_venv(tmp_path, monkeypatch):
    """`./course` in a folder whose .venv is a link (as the tests make them) rewrites the
    spec through the link: the spec must still name the venv's real folder, which outlives
    the linking folder."""
    (tmp_path / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    linked_python = tmp_path / ".venv" / Path(sys.executable).relative_to(sys.prefix)
    subprocess.run([str(linked_python), "-m", "dlcourse.kernelspec"], check=True, capture_output=True)
    argv0 = installed_spec(monkeypatch).argv[0]
    assert not argv0.startswith(str(tmp_path)) and argv0 == kernelspec.venv_python()
