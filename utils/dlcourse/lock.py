"""Regenerate the course's locks from requirements.in, all three together:

    requirements.txt      every platform: Linux x86-64/aarch64, macOS arm64, Windows x86-64
    requirements-gpu.txt  Linux x86-64 with NVIDIA: tensorflow[and-cuda] and its CUDA wheels
    environment.yml       conda / Binder: requirements.txt's lines under `pip:`

    ./course lock            (equivalently, from the venv: python -m dlcourse.lock)
    ./course lock --check    regenerate into a temporary folder; fail if a file differs

uv resolves once for every platform (--universal) from Python 3.11.0 up, writing
environment markers that plain pip understands. The current locks are uv's preferences,
so versions only move when requirements.in asks for it. Needs network (PyPI).
No --hash lines (--generate-hashes): a universal lock would carry every wheel's hash for
every platform (~2,400; 220 kB instead of 14 kB), environment.yml would have to repeat
them, and a mirror serving rebuilt wheels would fail. The pins are exact, and PyPI never
replaces a released file.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "./course lock"
LOCKS = ("requirements.txt", "requirements-gpu.txt", "environment.yml")
INDEX = "https://pypi.org/simple"
OLDEST_PYTHON = "3.11.0"  # the resolution's lower bound: every 3.11 patch release
CONDA_PYTHON = "3.11"
GPU_MARKER = 'sys_platform == "linux" and platform_machine == "x86_64"'
# --no-config: no uv.toml of this machine changes the result; --no-header: ours below.
UV_FLAGS = ("--universal", "--python-version", OLDEST_PYTHON, "--no-config",
            "--default-index", INDEX, "--no-header", "--quiet")

MAIN_HEADER = f"""\
# The course's packages for every supported platform: Linux x86-64 and aarch64
# (glibc 2.28+), macOS arm64 (12+), Windows x86-64; CPython 3.11.0 and up, 3.12, 3.13.
# One universal lock: the environment markers (after ";") choose each platform's
# packages, and plain pip installs it: python -m pip install -r requirements.txt
# GPU (Linux x86-64 + NVIDIA): requirements-gpu.txt. conda / Binder: environment.yml.
#
# Generated from requirements.in; do not edit. Regenerate all three with
#   {COMMAND}        (equivalently, from the venv: python -m dlcourse.lock)
# which runs
#   uv pip compile {' '.join(UV_FLAGS[:-2])} requirements.in -o requirements.txt
# (uv reads the previous requirements.txt as its preferences, so pins move only when
# requirements.in asks). tests/test_lock.py checks that every pin has a wheel on PyPI
# for each platform and Python, and that each platform's set is complete.
"""

GPU_HEADER = f"""\
# The course's packages for Linux x86-64 with an NVIDIA GPU, CPython 3.11.0 and up,
# 3.12, 3.13: requirements.txt with tensorflow[and-cuda] instead of tensorflow-cpu,
# and the CUDA libraries TensorFlow wants, as wheels. Install it over the CPU lock:
#   python -m pip uninstall -y tensorflow-cpu
#   python -m pip install -r requirements-gpu.txt
#
# Generated with requirements.txt; do not edit. Regenerate all three with
#   {COMMAND}        (equivalently, from the venv: python -m dlcourse.lock)
# which runs
#   uv pip compile {' '.join(UV_FLAGS[:-2])} -c requirements.txt requirements-gpu.in -o requirements-gpu.txt
# where requirements-gpu.in is requirements.in with its tensorflow-cpu line replaced by
#   tensorflow[and-cuda]==VERSION ; {GPU_MARKER}
# (-c: every other package keeps requirements.txt's version).
"""

CONDA_HEADER = f"""\
# conda / Binder (Linux x86-64): Python {CONDA_PYTHON} from conda-forge, then requirements.txt's
# lines under pip: (pip reads their environment markers). Generated from requirements.txt;
# do not edit. Regenerate with {COMMAND} (equivalently: python -m dlcourse.lock).
"""


def uv_command():
    """The uv executable: the venv's (uv is pinned in requirements.in), else PATH's."""
    try:
        from uv import find_uv_bin
        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if not found:
            sys.exit("uv is not installed: python -m pip install -r requirements.txt")
        return found


def gpu_input(requirements_in):
    """requirements.in's text with the tensorflow-cpu line swapped for tensorflow[and-cuda]."""
    pattern = re.compile(r"^tensorflow-cpu==(\S+?)\s*(;.*)?$", re.MULTILINE)
    found = pattern.findall(requirements_in)
    if len(found) != 1:
        raise ValueError("requirements.in needs exactly one line tensorflow-cpu==VERSION ; MARKER")
    version = found[0][0]
    return pattern.sub(f"tensorflow[and-cuda]=={version} ; {GPU_MARKER}", requirements_in)


def requirement_lines(lock_text):
    """The requirement lines of a lock, without comments (uv writes `# via` ones)."""
    lines = (line.split(" #")[0].rstrip() for line in lock_text.splitlines())
    return [line for line in lines if line and not line.lstrip().startswith("#")]


def without_constraint_notes(lock_text, constraints):
    """uv's `# via` notes without the `-c FILE` that every constrained line carries."""
    text = lock_text.replace(f"    #   -c {constraints}\n", "")
    return re.sub(r"    # via\n    #   ([^\n]+)\n(?!    #   )", r"    # via \1\n", text)


def environment_yml(lock_text):
    """environment.yml's text for the lock requirements.txt holds."""
    pins = "".join(f"      - {line}\n" for line in requirement_lines(lock_text))
    return (f"{CONDA_HEADER}name: dlcourse\nchannels:\n  - conda-forge\ndependencies:\n"
            f"  - python={CONDA_PYTHON}\n  - pip\n  - pip:\n{pins}")


def compile_lock(folder, sources, output, constraints=None):
    """Run uv in folder (so the `# via -r FILE` notes name files, not temporary paths)."""
    command = [uv_command(), "pip", "compile", *UV_FLAGS]
    if constraints:
        command += ["-c", constraints]
    command += [*sources, "-o", output]
    keep = {"UV_CACHE_DIR", "UV_NATIVE_TLS", "UV_HTTP_TIMEOUT"}  # no UV_INDEX & co. from here
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_") or k in keep}
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"uv could not resolve {output}:\n{done.stderr}")
    text = (folder / output).read_text()
    return without_constraint_notes(text, constraints) if constraints else text


def generate(root, into):
    """Write the three files into the folder into, resolving root's requirements.in."""
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        source = (root / "requirements.in").read_text()
        (scratch / "requirements.in").write_text(source)
        (scratch / "requirements-gpu.in").write_text(gpu_input(source))
        for name in ("requirements.txt", "requirements-gpu.txt"):  # uv's preferences
            previous = root / name if (root / name).exists() else root / "requirements.txt"
            if previous.exists():
                shutil.copyfile(previous, scratch / name)
        main = compile_lock(scratch, ["requirements.in"], "requirements.txt")
        (scratch / "requirements.txt").write_text(main)  # the constraints of the GPU lock
        gpu = compile_lock(scratch, ["requirements-gpu.in"], "requirements-gpu.txt",
                           constraints="requirements.txt")
    (into / "requirements.txt").write_text(MAIN_HEADER + main)
    (into / "requirements-gpu.txt").write_text(GPU_HEADER + gpu)
    (into / "environment.yml").write_text(environment_yml(main))


def check(root):
    """Regenerate into a temporary folder; the unified diffs of the files that differ."""
    with tempfile.TemporaryDirectory() as fresh:
        generate(root, Path(fresh))
        diffs = []
        for name in LOCKS:
            old = (root / name).read_text().splitlines(keepends=True) if (root / name).exists() else []
            new = (Path(fresh) / name).read_text().splitlines(keepends=True)
            diffs += difflib.unified_diff(old, new, f"{name} (committed)", f"{name} (regenerated)")
        return "".join(diffs)


def main(argv=None):
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary folder and fail if a file differs")
    parser.add_argument("--root", type=Path, default=ROOT, help="the course folder")
    args = parser.parse_args(argv)
    if args.check:
        diff = check(args.root)
        if diff:
            print(diff + f"\nThe locks are stale: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{', '.join(LOCKS)} are what {COMMAND} writes.")
        return 0
    generate(args.root, args.root)
    print(f"Wrote {', '.join(LOCKS)} from requirements.in.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
