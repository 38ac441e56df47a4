"""The `course` launcher: which Python it picks, where the venv's programs are, what it
says when it cannot work, on each operating system; and, for real, what a student with
an unsupported Python sees."""

import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SHELL_ENVIRONMENT

PYENV = Path.home() / ".pyenv" / "versions"


def load_launcher():
    loader = importlib.machinery.SourceFileLoader("course_launcher", str(ROOT / "course"))
    spec = importlib.util.spec_from_loader("course_launcher", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


course = load_launcher()


def python(version, platform="linux", machine="x86_64", bits=64, venv=True, executable=None):
    """A PROBE report, as a candidate interpreter would print it."""
    return {
        "version": [int(part) for part in version.split(".")], "platform": platform,
        "machine": machine, "bits": bits, "venv": venv,
        "executable": executable or f"/usr/bin/python{version}",
    }


SUPPORTED = [
    ("linux", "x86_64"), ("linux", "aarch64"), ("darwin", "arm64"), ("win32", "AMD64"),
]


@pytest.mark.parametrize("platform, machine", SUPPORTED)
@pytest.mark.parametrize("version", ["3.11.0", "3.11.2", "3.11.7", "3.12.1", "3.13.0"])
def test_supported_pythons_and_platforms_are_accepted(platform, machine, version):
    assert course.python_problem(python(version, platform, machine)) is None


@pytest.mark.parametrize("version", ["3.10.13", "3.14.0", "3.9.18", "2.7.18"])
def test_other_python_versions_are_refused_by_name(version):
    message = course.python_problem(python(version))
    assert f"Python {version} is not supported" in message
    assert "3.11, 3.12 or 3.13" in message


@pytest.mark.parametrize("platform, machine, bits, says", [
    ("darwin", "x86_64", 64, "Intel Macs"),
    ("win32", "AMD64", 32, "32-bit"),
    ("win32", "ARM64", 64, "win32 ARM64"),
    ("linux", "armv7l", 32, "linux armv7l"),
    ("freebsd14", "amd64", 64, "freebsd14 amd64"),
])
def test_unsupported_platforms_get_two_lines_that_say_what_works(platform, machine, bits, says):
    message = course.platform_problem(python("3.12.1", platform, machine, bits))
    assert says in message
    assert len(message.splitlines()) == 2
    assert "Binder" in message


@pytest.mark.parametrize("platform, expected", [
    ("win32", [["py", "-3.13"], ["py", "-3.12"], ["py", "-3.11"], ["python"]]),
    ("linux", [["python3.13"], ["python3.12"], ["python3.11"], ["python3"], ["python"]]),
    ("darwin", [["python3.13"], ["python3.12"], ["python3.11"], ["python3"], ["python"]]),
])
def test_candidates_are_newest_first_and_only_those_on_path(platform, expected):
    assert course.candidate_commands(platform, which=lambda name: "/bin/" + name) == expected
    on_path = {"python3.12", "py"}
    assert course.candidate_commands(platform, which=lambda name: name in on_path and name) == [
        command for command in expected if command[0] in on_path
    ]


def test_the_running_python_is_kept_when_it_is_supported():
    current = python("3.12.1")
    assert course.choose_python(current, [["python3.13"]], run_probe=pytest.fail) is current


@pytest.mark.parametrize("platform, machine", SUPPORTED)
def test_an_unsupported_running_python_hands_over_to_a_supported_one(platform, machine):
    reports = {
        ("python3.13",): None,  # on PATH but broken
        ("python3.12",): python("3.12.1", platform, machine, bits=32),  # 32-bit: no
        ("python3.11",): python("3.11.2", platform, machine, executable="/opt/py311"),
    }
    chosen = course.choose_python(
        python("3.14.0", platform, machine), [list(command) for command in reports],
        run_probe=lambda command: reports[tuple(command)],
    )
    assert chosen["executable"] == "/opt/py311"


@pytest.mark.parametrize("platform, through_py", [("win32", True), ("linux", False), ("darwin", False)])
def test_no_supported_python_says_what_to_install_in_two_lines(platform, through_py):
    machine = dict(SUPPORTED)[platform]
    with pytest.raises(course.SetupError) as refusal:
        course.choose_python(python("3.14.0", platform, machine), [["python3"]], run_probe=lambda c: python("3.10.4"))
    message = str(refusal.value)
    assert len(message.splitlines()) == 2
    assert "This is Python 3.14.0" in message
    assert ("through `py`" in message) is through_py
    for way in ("python.org", "uv python install 3.12", "conda create"):
        assert way in message


def test_an_intel_mac_is_told_about_apple_silicon_and_binder():
    with pytest.raises(course.SetupError) as refusal:
        course.choose_python(python("3.12.1", "darwin", "x86_64"), [], run_probe=pytest.fail)
    assert "Intel Macs" in str(refusal.value) and "arm64" in str(refusal.value)


def test_a_python_without_venv_is_told_which_package_adds_it():
    message = course.missing_venv_message(python("3.11.2"))
    assert "sudo apt install python3.11-venv" in message
    assert len(message.splitlines()) == 2


@pytest.mark.parametrize("platform, path", [
    ("win32", os.path.join("v", "Scripts", "python.exe")),
    ("linux", os.path.join("v", "bin", "python")),
    ("darwin", os.path.join("v", "bin", "python")),
])
def test_venv_layout_per_platform(platform, path):
    assert course.venv_python("v", platform) == path


@pytest.mark.parametrize("platform, machine, works", [
    ("linux", "x86_64", True), ("linux", "aarch64", False), ("darwin", "arm64", False), ("win32", "AMD64", False),
])
def test_gpu_builds_are_offered_where_cuda_wheels_exist(platform, machine, works):
    problem = course.gpu_problem(python("3.12.1", platform, machine))
    assert (problem is None) is works
    if problem:
        assert "WSL2" in problem and "CPU" in problem


def test_lab_gpu_and_the_gpu_check_ask_for_the_cuda_build():
    assert course.gpu_request("lab", ["--gpu", "--no-browser"]) == (True, ["--no-browser"])
    assert course.gpu_request("bench", ["--gpu", "--quick"]) == (True, ["--gpu", "--quick"])
    assert course.gpu_request("bench", ["--cpu-reference"]) == (False, ["--cpu-reference"])
    assert course.gpu_request("lab", ["--no-browser"]) == (False, ["--no-browser"])
    assert course.gpu_request("test", ["--gpu"]) == (False, ["--gpu"])


def test_lab_opens_lesson_01_in_the_clone_even_without_a_browser():
    arguments = course.lab_arguments(["--no-browser"], is_root=False)
    assert f"--ServerApp.root_dir={course.ROOT}" in arguments
    assert "--LabApp.default_url=/lab/tree/lessons/01-images-as-arrays.ipynb" in arguments
    assert "--allow-root" not in arguments
    assert "--allow-root" in course.lab_arguments([], is_root=True)
    assert (ROOT / course.FIRST_LESSON).exists()


def test_the_suite_runs_in_quick_mode_with_one_blas_thread_unless_told_otherwise():
    assert course.test_environment({"PATH": "/bin"}) == {
        "PATH": "/bin", "DLCOURSE_QUICK": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    assert course.test_environment({"OMP_NUM_THREADS": "4", "DLCOURSE_QUICK": "0"})["OMP_NUM_THREADS"] == "4"
    assert course.test_environment({"DLCOURSE_QUICK": "0"})["DLCOURSE_QUICK"] == "1"


def test_commands_run_the_venvs_python():
    assert course.command_line("test", ["-x"], "py")[:4] == ["py", "-m", "pytest", "-n"]
    assert course.command_line("nbgrader", ["--version"], "py") == ["py", "-m", "nbgrader", "--version"]
    assert course.command_line("grade", [], "py") == ["py", "-m", "dlcourse.grading"]
    assert course.command_line("lock", [], "py") == ["py", "-m", "dlcourse.lock"]
    assert course.command_line("site", ["--quick"], "py") == ["py", "-m", "dlcourse.site", "--quick"]


def test_labs_save_widget_state_and_other_overrides_stay(tmp_path):
    """The venv's JupyterLab saves widget state with a notebook (the website renders it);
    an overrides.json already there keeps its other settings."""
    path = Path(course.write_lab_overrides(str(tmp_path)))
    plugin = "@jupyter-widgets/jupyterlab-manager:plugin"
    assert json.loads(path.read_text()) == {plugin: {"saveState": True}}
    path.write_text(json.dumps({plugin: {"other": 1}, "@jupyterlab/apputils-extension:themes": {"theme": "x"}}))
    course.write_lab_overrides(str(tmp_path))
    assert json.loads(path.read_text()) == {plugin: {"other": 1, "saveState": True},
                                            "@jupyterlab/apputils-extension:themes": {"theme": "x"}}


def test_the_environment_puts_the_venv_first_and_quiets_tensorflow(monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    env = course.course_environment(os.path.join("v", "bin", "python"))
    assert env["PATH"].split(os.pathsep)[0] == os.path.join("v", "bin")
    assert env["JUPYTER_PATH"].split(os.pathsep) == [os.path.join("v", "share", "jupyter"), "/elsewhere"]
    assert env["TF_CPP_MIN_LOG_LEVEL"] == course.QUIET_TENSORFLOW["TF_CPP_MIN_LOG_LEVEL"]


# What a student sees, for real: the launcher run by a Python it cannot use, in a shell
# whose PATH holds only the Pythons named.


def student_shell(tmp_path, pythons):
    """A course folder with the launcher, and a PATH whose only Pythons are ``pythons``."""
    folder = tmp_path / "course"
    folder.mkdir()
    for name in ("course", "requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, folder / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, target in pythons.items():
        (bin_dir / name).symlink_to(target)
    env = dict(SHELL_ENVIRONMENT, HOME=str(tmp_path), PATH=f"{bin_dir}:/usr/bin:/bin")
    return folder, env


@pytest.mark.skipif(not (PYENV / "3.10.13").exists(), reason="needs pyenv's Python 3.10")
def test_an_old_python_alone_gets_two_lines_and_no_traceback(tmp_path):
    old = PYENV / "3.10.13" / "bin" / "python3.10"
    folder, env = student_shell(tmp_path, {"python3": old, "python": old})
    env["PATH"] = str(tmp_path / "bin")  # not even the system's Python
    done = subprocess.run([str(old), "course", "lab"], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "This is Python 3.10.13; the course needs Python 3.11, 3.12 or 3.13, and none was found on PATH."
    assert "python.org" in lines[1] and len(lines) == 2
    assert not (folder / ".venv").exists()


@pytest.mark.skipif(not (PYENV / "3.6.15").exists(), reason="needs pyenv's Python 3.6")
def test_the_launcher_runs_on_python_3_6_far_enough_to_explain(tmp_path):
    old = PYENV / "3.6.15" / "bin" / "python3.6"
    folder, env = student_shell(tmp_path, {"python3": old})
    env["PATH"] = str(tmp_path / "bin")
    done = subprocess.run([str(old), "course", "test"], cwd=folder, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("This is Python 3.6.15;")


@pytest.mark.skipif(not (PYENV / "3.12.1").exists(), reason="needs pyenv's Python 3.12")
def test_an_unsupported_python_hands_over_and_builds_the_venv_with_the_supported_one(tmp_path):
    """Run by Python 3.10, with python3.12 on PATH: the venv gets 3.12. The install then
    fails (no index, a pin that does not exist), and says so in two lines."""
    folder, env = student_shell(tmp_path, {"python3.12": PYENV / "3.12.1" / "bin" / "python3.12"})
    (folder / "requirements.txt").write_text("no-such-package-for-the-course==1.0\n")
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS="", PIP_CONFIG_FILE=os.devnull)
    done = subprocess.run(
        [str(PYENV / "3.10.13" / "bin" / "python3.10"), "course", "test"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )
    assert "Creating the virtual environment" in done.stderr and "with Python 3.12.1" in done.stderr
    venv_python = folder / ".venv" / "bin" / "python"
    version = subprocess.run([venv_python, "--version"], capture_output=True, text=True).stdout
    assert version.strip() == "Python 3.12.1"
    assert done.returncode == 1
    assert done.stderr.splitlines()[-2].startswith("Installing the pinned packages failed")
    assert "Traceback" not in done.stderr


def test_lab_without_a_browser_prints_a_url_that_opens_lesson_01(tmp_path, shell):
    """`./course lab --no-browser`, as on a remote machine: the URL it prints is lesson 01's."""
    folder = shell.new_course(tmp_path)
    with shell.lab(folder) as request:
        printed = re.findall(r"http://127\.0\.0\.1:\d+(/\S+)\?token=", (folder / "lab.log").read_text())
        assert printed, (folder / "lab.log").read_text()
        assert printed[-1] == "/lab/tree/lessons/01-images-as-arrays.ipynb"
        page = request(printed[-1])  # the fixture's token is its own, so the log masks it
    assert '"appName": "JupyterLab"' in page
    assert '"treePath": "lessons/01-images-as-arrays.ipynb"' in page  # what Lab opens
