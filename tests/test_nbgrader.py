"""The nbgrader round trip for every assignment in solutions/, as an instructor runs it.

For each assignment, in a course folder of its own, with `./course nbgrader ...` run in
a shell that carries nothing of pytest's environment (the `shell` fixture):
- regenerating the student version reproduces the committed assignments/ exactly;
- the instructor's solution scores full marks;
- the untouched student version scores zero, and the grader does not crash;
- every wrong answer in tests/wrong_submissions/<assignment>/ loses exactly the points of
  the test cells it names (its `# fails:` line), and no others.

Wrong answers are graded together to keep the round trip short: submission r holds the
r-th wrong answer of every task. That tells each apart because no test uses another task's
answer, which a static test checks: it follows every name from the answer cells through
the instructor's cells and fails a test cell that reaches an answer of another task.
"""

import ast
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config.loader import PyFileConfigLoader

from dlcourse.grading.judge import declared_names, grade_id, kind

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
    """{"wrong<r>": (notebook, cases in it)}: the solution with the r-th wrong answer of every task put in."""
    tasks = [grade_id(c) for c in nbformat.read(source_notebook, as_version=4).cells if kind(c) == "answer"]
    unknown = {case["cell"] for case in cases} - set(tasks)
    assert not unknown, f"wrong answers for {unknown}, which are not answer cells"
    by_task = [[case for case in cases if case["cell"] == task] for task in tasks]
    submissions = {}
    for round_ in range(max(map(len, by_task), default=0)):
        chosen = [found[round_] for found in by_task if len(found) > round_]
        notebook = nbformat.read(source_notebook, as_version=4)
        for case in chosen:
            cell, = (c for c in notebook.cells if grade_id(c) == case["cell"])
            cell.source = case["source"]
        submissions[f"wrong{round_}"] = (notebook, chosen)
    return submissions


def names_loaded(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def names_stored(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def answers_used(statements, owner):
    """The tasks whose answers ``statements`` use; ``owner`` ({name: tasks its value came
    from}) is updated as they assign, loop and define functions."""
    def tasks(node):
        return set().union(*(owner.get(name, set()) for name in names_loaded(node)))

    used = set()
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            local = names_stored(statement) | {a.arg for a in ast.walk(statement) if isinstance(a, ast.arg)}
            owner[statement.name] = set().union(*(owner.get(n, set()) for n in names_loaded(statement) - local))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and statement.value is not None:
            found = tasks(statement.value)
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for name in set().union(*map(names_stored, targets)):
                owner[name] = found | (owner.get(name, set()) if isinstance(statement, ast.AugAssign) else set())
            used |= found
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            found = tasks(statement.iter)
            for name in names_stored(statement.target):
                owner[name] = found
            used |= found | answers_used(statement.body, owner) | answers_used(statement.orelse, owner)
        elif isinstance(statement, (ast.If, ast.While)):
            used |= tasks(statement.test) | answers_used(statement.body, owner) | answers_used(statement.orelse, owner)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            used |= set().union(*(tasks(item.context_expr) for item in statement.items))
            used |= answers_used(statement.body, owner)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, *(h.body for h in statement.handlers), statement.orelse, statement.finalbody):
                used |= answers_used(block, owner)
        else:
            used |= tasks(statement)
    return used


def borrowed_answers(notebook):
    """{test grade_id: (its task, [other tasks whose answers it uses])}; a test belongs to
    the answer cell above it."""
    owner, task, found = {}, None, {}
    for cell in notebook.cells:
        role = kind(cell)
        if role not in ("answer", "given", "test"):
            continue
        statements = ast.parse(cell.source).body
        if role == "answer":
            task = grade_id(cell)
            for name in set().union(*map(names_stored, statements)) | set(declared_names(cell.source)):
                owner[name] = {task}
        elif (used := answers_used(statements, owner) - {task}) and role == "test":
            found[grade_id(cell)] = (task, sorted(used))
    return found


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
            f"an expected 0 means a wrong answer passed its task's tests")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_task_has_three_plausible_wrong_answers(assignment):
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    counts = {grade_id(c): 0 for c in notebook.cells if kind(c) == "answer"}
    for case in read_wrong_answers(assignment):
        counts[case["cell"]] += 1
    assert all(count >= 3 for count in counts.values()), f"wrong answers per task: {counts}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_no_test_uses_another_tasks_answer(assignment):
    notebook = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    borrowed = borrowed_answers(notebook)
    assert not borrowed, (
        f"these tests would charge a student twice for one bug, (own task, answers of other tasks used): "
        f"{borrowed}; compare with a reference instead")


def test_the_independence_check_sees_a_borrowed_answer():
    def code(source, grade_id, **flags):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, **flags}})

    notebook = nbformat.v4.new_notebook(cells=[
        code("def forward(x):\n    return 2 * x", "forward", solution=True),
        code("assert forward(1) == 2", "test_forward", grade=True),
        code("def backward(d):\n    return 2 * d", "backward", solution=True),
        code("for x in range(3):\n    y = forward(x)\nassert backward(y) == 2 * y", "test_backward", grade=True),
        code("def train():\n    return 1", "train", solution=True),
        code("y = 1  # no longer forward's\nassert train() == y", "test_train", grade=True),
    ])
    assert borrowed_answers(notebook) == {"test_backward": ("backward", ["forward"])}


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
