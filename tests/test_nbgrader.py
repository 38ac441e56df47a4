"""The nbgrader round trip for every assignment in solutions/, as an instructor runs it.

For each assignment, in a course folder of its own, with `./course nbgrader ...` run in
a shell that carries nothing of pytest's environment (the `shell` fixture):
- regenerating the student version reproduces the committed assignments/ exactly;
- the instructor's solution scores full marks;
- the untouched student version scores zero, and the grader does not crash;
- the wrong answer in tests/wrong_submissions/<assignment>.json loses exactly the
  points of the test cells it names, and no others.
"""

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
WRONG = ROOT / "tests" / "wrong_submissions"


def load_course_config(course_dir):
    """The repo's nbgrader_config.py, read as nbgrader reads it, rooted at course_dir."""
    shutil.copy(ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")
    return PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()


def notebook_cells(path):
    """What a student sees of a notebook: each cell's type, id, source and metadata."""
    notebook = nbformat.read(path, as_version=4)
    return [(c.cell_type, c.get("id"), c.source, dict(c.metadata)) for c in notebook.cells]


def submit(course_dir, student, assignment, notebook):
    """Place a submission as nbgrader's collect step would."""
    folder = course_dir / "submitted" / student / assignment
    shutil.copytree(course_dir / "assignments" / assignment, folder)
    for released in folder.glob("*.ipynb"):
        released.unlink()
    nbformat.write(notebook, folder / f"{assignment}.ipynb")


def wrong_answer(source_notebook, case):
    """The solution notebook with one answer cell replaced by a wrong answer."""
    notebook = nbformat.read(source_notebook, as_version=4)
    cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == case["cell"]]
    assert len(cells) == 1, f"{case['cell']} is not the grade_id of one cell"
    cells[0].source = case["source"]
    return notebook


def test_config_gives_cells_time_and_keeps_gradebook_local(tmp_path):
    config = load_course_config(tmp_path)
    assert config.JudgeInSandbox.cell_timeout >= 120
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "assignments"
    assert config.CourseDirectory.db_url.startswith(f"sqlite:///{tmp_path}/.nbgrader/")
    assert config.Exchange.root.startswith(str(tmp_path / ".nbgrader"))
    assert ".nbgrader/" in (ROOT / ".gitignore").read_text().split()


@pytest.fixture(scope="module", params=[pytest.param(a, marks=pytest.mark.xdist_group(a)) for a in ASSIGNMENTS])
def graded(request, tmp_path_factory, shell):
    """Generate, submit three versions and autograde one assignment, once per module."""
    assignment = request.param
    course_dir = shell.new_course(tmp_path_factory.mktemp(assignment))
    shutil.copytree(ROOT / "solutions" / assignment, course_dir / "solutions" / assignment)

    generated = shell.run(course_dir, "nbgrader", "generate_assignment", assignment)
    assert generated.returncode == 0, generated.stderr

    source = course_dir / "solutions" / assignment / f"{assignment}.ipynb"
    student_version = course_dir / "assignments" / assignment / f"{assignment}.ipynb"
    case = json.loads((WRONG / f"{assignment}.json").read_text())
    submit(course_dir, "solution", assignment, nbformat.read(source, as_version=4))
    submit(course_dir, "untouched", assignment, nbformat.read(student_version, as_version=4))
    submit(course_dir, "wrong", assignment, wrong_answer(source, case))
    graded = shell.run(course_dir, "nbgrader", "autograde", assignment)
    assert graded.returncode == 0, f"autograde crashed:\n{graded.stderr}"

    with Gradebook(f"sqlite:///{course_dir / '.nbgrader' / 'gradebook.db'}") as gradebook:
        scores = {}
        for student in ("solution", "untouched", "wrong"):
            submission = gradebook.find_submission_notebook(assignment, assignment, student)
            scores[student] = {
                "total": submission.score,
                "max": submission.max_score,
                "cells": {g.name: (g.score, g.max_score) for g in submission.grades},
            }
    return {"assignment": assignment, "dir": course_dir, "case": case, "scores": scores}


def test_committed_student_version_is_what_nbgrader_generates(graded):
    assignment, course_dir = graded["assignment"], graded["dir"]
    fresh = course_dir / "assignments" / assignment
    committed = ROOT / "assignments" / assignment
    assert committed.is_dir(), f"assignments/{assignment} is missing: run nbgrader generate_assignment"
    fresh_files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    committed_files = sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    assert committed_files == fresh_files
    for name in fresh_files:
        if name.suffix == ".ipynb":
            assert notebook_cells(committed / name) == notebook_cells(fresh / name), (
                f"assignments/{assignment}/{name} is out of date: regenerate it with "
                f"`./course nbgrader generate_assignment {assignment} --force`"
            )
        else:
            assert (committed / name).read_bytes() == (fresh / name).read_bytes()


def test_solution_scores_full_marks(graded):
    solution = graded["scores"]["solution"]
    assert solution["max"] > 0
    failed = {name: s for name, s in solution["cells"].items() if s[0] != s[1]}
    assert not failed, f"the solution loses points in {failed}"
    assert solution["total"] == solution["max"]


def test_untouched_student_version_scores_zero(graded):
    untouched = graded["scores"]["untouched"]
    scored = {name: s for name, s in untouched["cells"].items() if s[0]}
    assert not scored, f"an empty submission earns points in {scored}"
    assert untouched["total"] == 0


def test_wrong_answer_loses_exactly_its_tests_points(graded):
    wrong, case = graded["scores"]["wrong"], graded["case"]
    cells = wrong["cells"]
    unknown = set(case["fails"]) - set(cells)
    assert not unknown, f"{unknown} are not graded cells"
    for name, (score, max_score) in cells.items():
        expected = 0 if name in case["fails"] else max_score
        assert score == expected, f"{name}: scored {score}, expected {expected}"
    lost = sum(cells[name][1] for name in case["fails"])
    assert lost > 0
    assert wrong["total"] == wrong["max"] - lost


def solution_lines(notebook_path):
    """Substantial lines of the solution and hidden-test blocks of a source notebook."""
    text = "\n".join(c.source for c in nbformat.read(notebook_path, as_version=4).cells)
    blocks = re.findall(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END \1", text, flags=re.S)
    lines = {line.strip() for _, block in blocks for line in block.splitlines()}
    return {line for line in lines if len(line) >= 30 and not line.startswith("#")}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_solution_or_hidden_test_text_reaches_students(assignment):
    released = "\n".join(
        p.read_text(errors="replace") for p in (ROOT / "assignments" / assignment).rglob("*") if p.is_file()
    )
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
    leaked = [
        line for line in solution_lines(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
        if line in released
    ]
    assert not leaked, f"solution or hidden-test lines in assignments/{assignment}: {leaked[:3]}"
