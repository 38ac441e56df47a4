"""Every solution notebook runs top to bottom on a fresh kernel in quick mode, and shows
nothing on stderr (Jupyter's red blocks: TensorFlow's start-up chatter, warnings). The
kernel starts as JupyterLab starts it (dlcourse.nbrun): from the course's kernel spec, in
a user's environment, so native code's stderr is forwarded. The lessons are run the way
students run them, in JupyterLab in a browser, with the same checks (test_browser.py)."""

import pytest

from dlcourse.nbrun import COURSE_ROOT, course_notebooks, run_notebook

# The budget is 60 s per notebook on an idle CPU (`./course bench` measures that);
# under the test suite two notebooks share the 2 cores, so allow twice as long.
QUICK_LIMIT_SECONDS = 120


def stderr_outputs(notebook):
    """(cell index, text) of every stderr stream in an executed notebook."""
    return [(index, output["text"]) for index, cell in enumerate(notebook.cells)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "stream" and output.get("name") == "stderr"]


@pytest.mark.parametrize(
    "path", [p for p in course_notebooks() if p.parent.parent.name == "solutions"],
    ids=lambda p: str(p.relative_to(COURSE_ROOT))
)
def test_notebook_runs_in_quick_mode(path):
    notebook, seconds = run_notebook(path, quick=True, cell_timeout=300)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    stderr = stderr_outputs(notebook)
    for index, text in stderr:
        print(f"--- stderr of cell {index}:\n{text}")
    assert not stderr, (
        f"{path.name} writes to stderr in cells {sorted({i for i, _ in stderr})} (shown above): students "
        "see it as a red block; TensorFlow's start-up lines mean the kernel spec lacks dlcourse.kernelspec's "
        "settings (run `python -m dlcourse.kernelspec`)"
    )
    assert seconds < QUICK_LIMIT_SECONDS, f"{path.name} took {seconds:.0f} s in quick mode"
