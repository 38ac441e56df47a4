"""The nbgrader round trip for every assignment in solutions/, as an instructor runs it.

For each assignment, in a course folder of its own, with `./course nbgrader ...` run in
a shell that carries nothing of pytest's environment (the `shell` fixture):
- regenerating the student version reproduces the committed assignments/ exactly;
- the instructor's solution scores full marks;
- the untouched student version scores zero, and the grader does not crash;
- every wrong answer in tests/wrong_submissions/<assignment>/ loses exactly the points of
  the test cells it names (its `# fails:` line), and no others.

Wrong answers are graded a few at a time to keep the round trip short: submission (r, p)
holds the r-th wrong answer of every task whose place among the tasks has parity p, so
each wrong answer sits next to right answers of the neighbouring tasks, and a test that
leans on another task's function shows up as points lost where none should be.
"""

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


def read_wrong_answers(assignment):
    """[{"name", "cell", "source", "fails"}] from tests/wrong_submissions/<assignment>/<cell>.<slug>.py."""
    cases = []
    for path in sorted((WRONG / assignment).glob("*.py")):
        source = path.read_text()
        fails = re.match(r"# fails: (.+)\n# why: .+\n", source)
        assert fails, f"{path} must start with '# fails: <test ids>' and '# why: <the mistake>' lines"
        cases.append({"name": path.stem, "cell": path.name.split(".")[0], "source": source,
                      "fails": [name.strip() for name in fails.group(1).split(",")]})
    return cases


def wrong_submissions(source_notebook, cases):
    """{student: (notebook, cases in it)}: the solution with wrong answers put in, grouped by
    round r (the r-th wrong answer of a task) and parity p (tasks 0, 2, 4... or 1, 3, 5...)."""
    solution = nbformat.read(source_notebook, as_version=4)
    tasks = [c.metadata["nbgrader"]["grade_id"] for c in solution.cells
             if c.metadata.get("nbgrader", {}).get("solution")]
    unknown = {case["cell"] for case in cases} - set(tasks)
    assert not unknown, f"wrong answers for {unknown}, which are not solution cells"
    by_task = {task: [case for case in cases if case["cell"] == task] for task in tasks}
    submissions = {}
    for round_ in range(max(map(len, by_task.values()), default=0)):
        for parity in (0, 1):
            chosen = [found[round_] for index, found in enumerate(by_task.values())
                      if index % 2 == parity and len(found) > round_]
            if not chosen:
                continue
            notebook = nbformat.read(source_notebook, as_version=4)
            for case in chosen:
                cell, = (c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == case["cell"])
                cell.source = case["source"]
            submissions[f"wrong{round_}{parity}"] = (notebook, chosen)
    return submissions


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
    wrong = wrong_submissions(source, read_wrong_answers(assignment))
    submit(course_dir, "solution", assignment, nbformat.read(source, as_version=4))
    submit(course_dir, "untouched", assignment, nbformat.read(student_version, as_version=4))
    for student, (notebook, _) in wrong.items():
        submit(course_dir, student, assignment, notebook)
    graded = shell.run(course_dir, "nbgrader", "autograde", assignment)
    assert graded.returncode == 0, f"autograde crashed:\n{graded.stderr}"

    with Gradebook(f"sqlite:///{course_dir / '.nbgrader' / 'gradebook.db'}") as gradebook:
        scores = {}
        for student in ("solution", "untouched", *wrong):
            submission = gradebook.find_submission_notebook(assignment, assignment, student)
            scores[student] = {
                "total": submission.score,
                "max": submission.max_score,
                "cells": {g.name: (g.score, g.max_score) for g in submission.grades},
            }
    cases = {student: chosen for student, (_, chosen) in wrong.items()}
    return {"assignment": assignment, "dir": course_dir, "wrong": cases, "scores": scores}


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


def test_each_wrong_answer_loses_exactly_its_tests_points(graded):
    assert graded["wrong"], f"no wrong answers in tests/wrong_submissions/{graded['assignment']}/"
    for student, cases in graded["wrong"].items():
        cells = graded["scores"][student]["cells"]
        for case in cases:
            unknown = set(case["fails"]) - set(cells)
            assert not unknown, f"{case['name']}: {unknown} are not graded cells"
        failing = {name: case["name"] for case in cases for name in case["fails"]}
        wrong = {name: (score, 0 if name in failing else max_score) for name, (score, max_score) in cells.items()
                 if score != (0 if name in failing else max_score)}
        assert not wrong, (
            f"{[case['name'] for case in cases]} graded together: (scored, expected) {wrong}; "
            f"an expected 0 means that wrong answer passed its tests, an expected full score that a "
            f"test leans on another task's answer")


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
