"""Execute notebooks on a fresh kernel, the way the tests and the benchmark do."""

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

COURSE_ROOT = Path(__file__).resolve().parents[2]


def course_notebooks(root=COURSE_ROOT):
    """Every lesson and solution notebook, in course order."""
    lessons = sorted((root / "lessons").glob("*.ipynb"))
    solutions = sorted((root / "solutions").glob("*/*.ipynb"))
    return lessons + solutions


def run_notebook(path, quick=True, cell_timeout=600, save_to=None):
    """Run ``path`` top to bottom in its own folder on a fresh kernel.

    Returns ``(notebook, seconds)``. Raises nbclient's ``CellExecutionError``
    (which names the failing cell) when a cell fails. ``save_to`` writes the
    executed notebook there, outputs and all.
    """
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ)
    env.pop("NBGRADER_EXECUTION", None)
    if quick:
        env["DLCOURSE_QUICK"] = "1"
    else:
        env.pop("DLCOURSE_QUICK", None)
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - start
    if save_to is not None:
        nbformat.write(notebook, save_to)
    return notebook, seconds
