"""The instructor's views in JupyterLab in Chromium, served by ``./course lab``: nbgrader's
formgrader opened from the Nbgrader menu lists every assignment, and the notebook
toolbar's Validate button reports an untouched assignment's failing tests and the
solution's success (dlcourse.browser)."""

import json

import pytest
from playwright.sync_api import expect

from dlcourse.browser import WAIT_MS
from dlcourse.nbrun import COURSE_ROOT

pytestmark = pytest.mark.xdist_group("browser-instructor")  # see the browser fixtures in conftest.py

ASSIGNMENTS = sorted(path.name for path in (COURSE_ROOT / "solutions").iterdir() if path.is_dir())
ASSIGNMENT = "A0-arrays"  # the warm-up: validating it takes a few seconds
NOTEBOOK = next((COURSE_ROOT / "assignments" / ASSIGNMENT).glob("*.ipynb")).name
VALIDATE_MS = 120_000  # nbgrader runs the whole notebook in a fresh kernel on the server


def squeeze(text):
    """``text`` with every run of whitespace made one space, to compare source with page text."""
    return " ".join(text.split())


def graded_cells(path):
    """Sources of the notebook's autograded test cells (nbgrader ``grade`` code cells)."""
    cells = json.loads(path.read_text())["cells"]
    return [
        "".join(cell["source"]) for cell in cells
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("grade")
    ]


def validate(lesson_page, path):
    """Open ``path`` in Lab, press the toolbar's Validate, return the results dialog's text."""
    lesson_page.open(path)
    page = lesson_page.page
    page.get_by_role("button", name="Validate", exact=True).click()
    dialog = page.get_by_role("dialog").filter(has_text="Validation Results")
    expect(dialog).to_be_visible(timeout=VALIDATE_MS)
    text = dialog.inner_text()
    dialog.get_by_role("button", name="Ok").click()
    expect(dialog).to_be_hidden(timeout=WAIT_MS)
    return text


def test_formgrader_opens_from_the_menu_and_lists_every_assignment(lesson_page, lab):
    """Nbgrader > Formgrader opens a Lab tab whose Manage Assignments table names each
    folder of solutions/ (nbgrader's source folder), with no gradebook set up first."""
    page = lesson_page.page
    # A workspace of its own: the formgrader tab is not restored in the other tests.
    page.goto(f"{lab.url}/lab/workspaces/formgrader?token={lab.token}&reset")
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Formgrader", exact=True).click()
    expect(page.get_by_role("tab", name="Formgrader")).to_be_visible(timeout=WAIT_MS)

    formgrader = page.locator("iframe[src*='/formgrader']").content_frame
    expect(formgrader.get_by_role("heading", name="Manage Assignments")).to_be_visible(timeout=WAIT_MS)
    # DataTables gives the table its "grid" role once every assignment's row is in.
    table = formgrader.get_by_role("grid")
    expect(table).to_be_visible(timeout=WAIT_MS)
    listed = [name.strip() for name in table.locator("tbody td.name").all_inner_texts()]
    assert sorted(listed) == ASSIGNMENTS
    assert not lesson_page.console_errors, "\n".join(lesson_page.console_errors)


def test_validate_reports_the_failing_tests_of_an_untouched_assignment(lesson_page):
    """Validate on the student version names every test cell as failed, each on the
    stub's NotImplementedError, and does not claim success."""
    path = f"assignments/{ASSIGNMENT}/{NOTEBOOK}"
    text = validate(lesson_page, path)
    tests = graded_cells(COURSE_ROOT / path)
    assert tests, f"{path} has no autograded test cells"

    failures = text.split("The following cell failed:")[1:]
    assert len(failures) == len(tests), text
    for test in tests:
        shown = [failure for failure in failures if squeeze(test) in squeeze(failure)]
        assert shown, f"this test cell is not reported as failed:\n{test}\n\nThe dialog says:\n{text}"
        assert "NotImplementedError" in shown[0], shown[0]
    assert "Success" not in text
    assert not lesson_page.console_errors, "\n".join(lesson_page.console_errors)


def test_validate_reports_success_on_the_solution(lesson_page):
    """Validate on the instructor's source notebook passes every test, hidden ones included."""
    text = validate(lesson_page, f"solutions/{ASSIGNMENT}/{NOTEBOOK}")
    assert "Success! Your notebook passes all the tests." in text, text
    assert "failed" not in text.lower(), text
    assert not lesson_page.console_errors, "\n".join(lesson_page.console_errors)
