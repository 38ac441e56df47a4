"""Install the course's Jupyter kernel: ipykernel's ``python3``, with a quiet TensorFlow.

    python -m dlcourse.kernelspec      (``./course`` and Binder's postBuild run it after installing)

Why: TensorFlow writes its start-up lines (absl's "All log messages before
absl::InitializeLog() is called are written to STDERR", the oneDNN notice, the CPU
instruction sets) to the process's stderr while it loads, which Jupyter shows as a red
block at the top of every Keras lesson. Only environment variables set before the kernel
starts silence them; setting them from Python once TensorFlow may already be imported
is too late. So the kernel spec carries them, and every kernel the course starts (Lab,
nbclient in the tests and ``./course bench``, ``nbgrader validate``) gets them.

What was measured (TensorFlow 2.21 CPU, Keras 3.15, in a kernel and in plain Python):
TF_CPP_MIN_LOG_LEVEL=1 hides the CPU-instructions notice (INFO), 2 also WARNING lines, and
only 3 hides the "NodeDef mentions attribute use_unbounded_threadpool" lines that tf.data
logs as ERRORs during Keras training (lessons 12-14, A6...). No level hides the
oneDNN notice, which two of TensorFlow's libraries log while loading, before their
logging reads that variable; only TF_ENABLE_ONEDNN_OPTS=0 stops it, at its source.
oneDNN off changes the order of some float32 sums (training metrics differ in the 3rd
or 4th digit; every checked number still passes) and is how the grader has always run
students' kernels, so lessons, tests and grading now compute alike. Python's own
warnings and errors still show: this only concerns TensorFlow's C++ log.

The spec keeps ipykernel's name, display name and language (what notebooks' metadata
records) and runs this environment's Python, so it does not depend on PATH. It is written
into ``sys.prefix/share/jupyter/kernels/python3``, replacing ipykernel's own; ./course
puts that folder first on JUPYTER_PATH, so a student's user-level ``python3`` kernel does
not shadow it.

Its kernel is ipykernel's, less the Python version in the ``language_info`` it reports.
JupyterLab copies that ``language_info`` into the notebook when it opens one; with a
version in it (each student's own, 3.11.7 or 3.12.3...) every lesson a student only read
would be modified, autosaved and, for git, changed (a clean filter cannot hide it: git
takes a file whose size changed for modified without running the filter), so that the
next ``git pull`` refuses to merge. Without it, what the kernel reports equals what the
notebooks carry, and Lab leaves them alone (tests/test_notebook_metadata.py).
"""

import json
import sys
from pathlib import Path

NAME = "python3"
KERNEL_CLASS = "dlcourse.kernelspec.CourseKernel"
# Keep in sync with QUIET_TENSORFLOW in ./course (tests/test_kernelspec.py checks) and
# with the grading sandbox's kernel environment (dlcourse/grading/sandbox.py).
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
# What ipykernel writes, for an environment where its spec is missing.
IPYKERNEL_SPEC = {
    "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
    "metadata": {"debugger": True},
}


def spec_path(prefix=None):
    return Path(prefix or sys.prefix, "share", "jupyter", "kernels", NAME, "kernel.json")


def venv_python():
    """This environment's Python by its real folder: a course folder may reach the venv
    through a link (tests do), which must not end up in the spec; the interpreter's own
    link is kept, since resolving it would leave the venv for the base Python."""
    executable = Path(sys.executable)
    return str(executable.parent.resolve() / executable.name)


def install(prefix=None, python=None):
    """Write the course's kernel.json over ipykernel's (unless it is there); return its path."""
    path = spec_path(prefix)
    spec = json.loads(path.read_text()) if path.is_file() else dict(IPYKERNEL_SPEC)
    spec["argv"] = [python or venv_python(), "-m", "ipykernel_launcher", f"--IPKernelApp.kernel_class={KERNEL_CLASS}",
                    "-f", "{connection_file}"]
    spec["env"] = dict(QUIET_TENSORFLOW)
    text = json.dumps(spec, indent=1) + "\n"
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"Installed the course's kernel spec: {path}", file=sys.stderr)
    return path


def __getattr__(name):
    """``CourseKernel``: made on first use, so that only kernels import ipykernel."""
    if name != "CourseKernel":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ipykernel.ipkernel import IPythonKernel

    class CourseKernel(IPythonKernel):
        """ipykernel's kernel; its language_info leaves out the Python version (see above)."""

        language_info = {key: value for key, value in IPythonKernel.language_info.items() if key != "version"}

    CourseKernel.__qualname__ = "CourseKernel"
    globals()["CourseKernel"] = CourseKernel
    return CourseKernel


def main():
    install()


if __name__ == "__main__":
    main()
