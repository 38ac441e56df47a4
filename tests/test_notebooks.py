"""Every lesson and solution notebook runs top to bottom on a fresh kernel in quick mode."""

import pytest

from dlcourse.nbrun import COURSE_ROOT, course_notebooks, run_notebook

# The budget is 60 s per notebook on an idle CPU (`./course bench` measures that);
# under the test suite two notebooks share the 2 cores, so allow twice as long.
QUICK_LIMIT_SECONDS = 120


@pytest.mark.parametrize(
    "path", course_notebooks(), ids=lambda p: str(p.relative_to(COURSE_ROOT))
)
def test_notebook_runs_in_quick_mode(path):
    notebook, seconds = run_notebook(path, quick=True, cell_timeout=300)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert seconds < QUICK_LIMIT_SECONDS, f"{path.name} took {seconds:.0f} s in quick mode"
