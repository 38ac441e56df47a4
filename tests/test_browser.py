"""Every lesson in JupyterLab in Chromium, as a student meets it: served by ``./course lab``,
opened, run from the Run menu, read on the page, and every widget moved with the keyboard
or a menu (dlcourse.browser). nbclient cannot see what fails here: widget views, the
browser's own updates, the notebook's modified flag, console errors."""

import math

import nbformat
import pytest

from dlcourse.browser import WIDGET_INPUTS
from dlcourse.nbrun import COURSE_ROOT

LESSONS = sorted(path.stem for path in (COURSE_ROOT / "lessons").glob("*.ipynb"))
# Two halves, one per test worker, each with its own Lab and browser (the browser
# fixtures in conftest.py say why they run grouped).
HALVES = [pytest.param(lesson, marks=pytest.mark.xdist_group(f"browser{index % 2}"))
          for index, lesson in enumerate(LESSONS)]
QUICK_LIMIT_SECONDS = 120  # as tests/test_notebooks.py: 60 s budget, doubled for a shared CPU


def test_every_lesson_has_its_widget_inputs_listed():
    assert set(WIDGET_INPUTS) <= set(LESSONS)


@pytest.mark.xdist_group("browser0")
def test_problems_on_the_page_are_reported(lesson_page, lab):
    """The checks below can fail: a notebook with one of each problem reports each, and its widget is no problem."""
    notebook = nbformat.read(COURSE_ROOT / "lessons" / f"{LESSONS[0]}.ipynb", as_version=4)
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import sys\nprint('a warning', file=sys.stderr)",
        "import ipywidgets\nipywidgets.IntSlider(description='fine')",
        "6 * 7",
        "raise ValueError('the last cell fails')",
    )]
    nbformat.write(notebook, lab.folder / "lessons" / "problems.ipynb")
    lesson_page.open("lessons/problems.ipynb")
    lesson_page.run_all()
    problems = lesson_page.problems()
    assert any(p.startswith("error or stderr output: a warning") for p in problems), problems
    assert "stray value in notebook cell 2: 42" in problems, problems
    assert any("ValueError" in p for p in problems), problems
    assert len(problems) == 3 and len(lesson_page.widgets()) == 1, problems


@pytest.mark.parametrize("lesson", HALVES)
def test_lesson_runs_in_jupyterlab_and_its_widgets_answer(lesson_page, lesson):
    lesson_page.open(f"lessons/{lesson}.ipynb")
    assert not lesson_page.modified(), "opening the lesson marked it modified: Lab would ask to save it"
    seconds = lesson_page.run_all()
    assert not lesson_page.problems(), "\n".join(lesson_page.problems())
    assert seconds < QUICK_LIMIT_SECONDS, f"Run All took {seconds:.0f} s"

    widgets = lesson_page.widgets()
    inputs = WIDGET_INPUTS.get(lesson, [])
    assert len(widgets) == len(inputs), f"{len(widgets)} widgets on the page, {len(inputs)} listed in WIDGET_INPUTS"
    for widget, steps in zip(widgets, inputs):
        assert widget.locator("img").count() == 1, "a widget shows no picture (or several) after Run All"
        for step in steps:
            response = lesson_page.drive(widget, step)
            where = f"{step.label} ({step.action} {step.argument})"
            assert response.pictures == 1, f"{where}: {response.pictures} pictures drawn for one input"
            assert response.expected in response.alt, f"{where}: the picture says {response.alt!r}"
            assert math.isfinite(response.seconds)
    assert not lesson_page.problems(), "\n".join(lesson_page.problems())

    # The course website is built from this run (tests/test_site.py): save the executed lesson,
    # widget state and all, into dlcourse.site.executed_folder().
    from dlcourse.site import save_executed
    save_executed(lesson_page, lesson)
