"""Every solution notebook runs top to bottom on a fresh kernel in quick mode, and shows
nothing on stderr (Jupyter's red blocks: TensorFlow's start-up chatter, warnings) and no
stray value (a cell ending in an expression that is not a widget). The
kernel starts as JupyterLab starts it (dlcourse.nbrun): from the course's kernel spec, in
a user's environment, so native code's stderr is forwarded. The lessons are run the way
students run them, in JupyterLab in a browser, with the same checks (test_browser.py)."""

import nbformat
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


def stray_values(notebook):
    """(cell index, text) of every value a cell shows by ending in an expression, widgets excepted."""
    return [(index, output["data"].get("text/plain", "")) for index, cell in enumerate(notebook.cells)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "execute_result"
            and "application/vnd.jupyter.widget-view+json" not in output["data"]]


@pytest.mark.parametrize(
    "path", [p for p in course_notebooks() if p.parent.parent.name == "solutions"],
    ids=lambda p: str(p.relative_to(COURSE_ROOT))
)
def test_notebook_runs_in_quick_mode(path):
    notebook, seconds = run_notebook(path, quick=True, cell_timeout=300, env={"DLCOURSE_CHECK_FIGURES": "1"})
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
    stray = stray_values(notebook)
    assert not stray, (
        f"{path.name} shows values nobody asked for (end the cell with a statement, or print the value with a label): "
        f"{stray}"
    )
    assert seconds < QUICK_LIMIT_SECONDS, f"{path.name} took {seconds:.0f} s in quick mode"


def test_stray_values_finds_a_shown_value_but_not_a_widget():
    value = nbformat.v4.new_output("execute_result", data={"text/plain": "0.0"}, execution_count=1)
    widget = nbformat.v4.new_output("execute_result", execution_count=2, data={
        "text/plain": "IntSlider(value=0)", "application/vnd.jupyter.widget-view+json": {"model_id": "m"}})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[value]),
                                               nbformat.v4.new_code_cell("w", outputs=[widget])])
    assert stray_values(notebook) == [(0, "0.0")]
