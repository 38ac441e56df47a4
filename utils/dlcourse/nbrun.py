"""Execute notebooks on a fresh kernel, the way the tests and the benchmark do.

The kernel starts as JupyterLab starts it for a student: from the course's ``python3``
kernel spec (dlcourse.kernelspec), which supplies its settings (a quiet TensorFlow), in
an environment holding only what a user's shell passes on (PATH, HOME, locale...).
Nothing of the caller's gets through: under pytest, PYTEST_CURRENT_TEST would make
ipykernel stop forwarding what native code writes to stderr, hiding what students see.
"""

import os
import time
from pathlib import Path
from queue import Empty

import nbformat
from nbclient import NotebookClient

COURSE_ROOT = Path(__file__).resolve().parents[2]
# What a user's shell passes on to JupyterLab and so to its kernels.
USER_VARIABLES = {"PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TZ", "USER", "LOGNAME", "SHELL",
                  "DLCOURSE_DATA"}
USER_PREFIXES = ("LC_", "OPENBLAS_", "OMP_", "MKL_")  # locale; BLAS threads this machine may need


def user_environment(quick=True):
    """The environment a kernel started from a user's shell sees, before its spec's settings."""
    env = {name: value for name, value in os.environ.items()
           if name in USER_VARIABLES or name.startswith(USER_PREFIXES)}
    if quick:
        env["DLCOURSE_QUICK"] = "1"
    return env


def course_notebooks(root=COURSE_ROOT):
    """Every lesson and solution notebook, in course order."""
    lessons = sorted((root / "lessons").glob("*.ipynb"))
    solutions = sorted((root / "solutions").glob("*/*.ipynb"))
    return lessons + solutions


def poll_in_slices(get_msg, slice_seconds=1.0):
    """Wrap a channel's async ``get_msg`` so that it polls in short slices.

    A single long poll of a kernel channel can miss its wake-up and sleep until its
    timeout although the reply is there (seen with widget cells; nbclient issue
    #312). A fresh poll every second sees the waiting message.
    """

    async def get_msg_in_slices(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = slice_seconds if deadline is None else deadline - time.monotonic()
            try:
                return await get_msg(timeout=max(0.0, min(slice_seconds, left)))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    return get_msg_in_slices


class CourseNotebookClient(NotebookClient):
    """nbclient's executor with kernel channels that cannot sleep through a reply."""

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        for channel in (client.shell_channel, client.iopub_channel):
            channel.get_msg = poll_in_slices(channel.get_msg)
        return client


def run_notebook(path, quick=True, cell_timeout=600, save_to=None, env=None):
    """Run ``path`` top to bottom in its own folder on a fresh kernel.

    Returns ``(notebook, seconds)``. Raises nbclient's ``CellExecutionError``
    (which names the failing cell) when a cell fails. ``save_to`` writes the
    executed notebook there, outputs and all (up to the failing cell, if one fails).
    ``env`` adds variables to the kernel's environment (e.g. ``CUDA_VISIBLE_DEVICES``).
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    kernel_env = {**user_environment(quick), **(env or {})}
    client = CourseNotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=kernel_env)
        seconds = time.perf_counter() - start
    finally:
        if save_to is not None:
            nbformat.write(notebook, save_to)
    return notebook, seconds
