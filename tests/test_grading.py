"""Grading that survives bad submissions: real nbgrader runs through dlcourse.grading.

One module-scoped course (a copy of the repo's nbgrader_config.py and the tiny
numpy-only assignment tests/fixtures/grading/G0-tiny.ipynb, two 1-point tasks) gets
30 submissions of ten kinds, good and bad, autograded in parallel on 2 workers with
a 5 s cell timeout. Each test checks one kind; the batch test checks every score.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from dlcourse import grading

ROOT = Path(__file__).resolve().parents[1]
A = "G0-tiny"
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / f"{A}.ipynb"
pytestmark = pytest.mark.xdist_group("grading")


def cell(notebook, grade_id):
    """The (first) cell of a notebook with this grade_id."""
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answer(notebook, grade_id, source):
    cell(notebook, grade_id).source = source
    return notebook


WRONG_SCALE = "def scale(x, factor):\n    return np.asarray(x, dtype=np.float64) + factor\n"
WRONG_ROWS = "def row_sums(m):\n    return np.asarray(m).sum(axis=0)\n"


def good(nb):
    return nb


def raises(nb):
    return answer(nb, "scale", "def scale(x, factor):\n    return np.asarray(x)[10] * factor\n")


def infinite_loop(nb):
    return answer(nb, "scale", "while True:\n    pass\n")


def enormous_output(nb):
    cell(nb, "scale").source += "\nprint('spam ' * 2_000_000)\nfor line in range(5000):\n    print(line)\n"
    return nb


def edits_test(nb):
    answer(nb, "scale", WRONG_SCALE)
    return answer(nb, "test_scale", "pass  # all good!")


def deletes_test(nb):
    answer(nb, "row_sums", WRONG_ROWS)
    nb.cells.remove(cell(nb, "test_row_sums"))
    return nb


def duplicate_ids(nb):
    # The student's first try stays; a copy of the cell (same id) holds the fix.
    copy = nbformat.from_dict(cell(nb, "scale"))
    answer(nb, "scale", WRONG_SCALE)
    nb.cells.insert(nb.cells.index(cell(nb, "scale")) + 1, copy)
    return nb


def wrong_type(nb):
    return answer(nb, "scale", "def scale(x, factor):\n    result = np.asarray(x) * factor\n")


def redefines_helpers(nb):
    return answer(nb, "scale", WRONG_SCALE + (
        "from dlcourse import checks\n\n\n"
        "def assert_close(*args, **kwargs):\n    return 0.0\n\n\n"
        "def check_array(name, value, **kwargs):\n    return value\n"
    ))


def monkeypatches_numpy(nb):
    return answer(nb, "row_sums", WRONG_ROWS + "np.max = lambda *args, **kwargs: 0.0\n")


# kind -> (how the submission is made, expected score out of 2)
KINDS = {
    "good": (good, 2),
    "raises": (raises, 1),
    "loop": (infinite_loop, 1),
    "output": (enormous_output, 2),
    "editstest": (edits_test, 1),
    "deletestest": (deletes_test, 1),
    "dupids": (duplicate_ids, 2),
    "wrongtype": (wrong_type, 1),
    "redefines": (redefines_helpers, 1),
    "renamed": (good, 0),
}
STUDENTS = {f"{kind}{i}": kind for i in range(3) for kind in KINDS}  # 30 submissions


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with G0-tiny released and 30 (+1 patched) submissions autograded.

    Every submission starts from the released notebook with the solution's answers.
    """
    course_dir = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course_dir)
    (course_dir / "solutions" / A).mkdir(parents=True)
    shutil.copy(FIXTURE, course_dir / "solutions" / A / f"{A}.ipynb")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    generated = NbGraderAPI(config=config).generate_assignment(A)
    assert generated["success"], generated["log"]

    released = nbformat.read(course_dir / "assignments" / A / f"{A}.ipynb", as_version=4)
    solution = nbformat.read(FIXTURE, as_version=4)
    for grade_id in ("scale", "row_sums"):
        lines = cell(solution, grade_id).source.splitlines()
        answer(released, grade_id, "\n".join(line for line in lines if "### " not in line))

    students = dict(STUDENTS, patched0="patched")
    for student, kind in students.items():
        folder = course_dir / "submitted" / student / A
        folder.mkdir(parents=True)
        make = monkeypatches_numpy if kind == "patched" else KINDS[kind][0]
        name = f"{A} copy.ipynb" if kind == "renamed" else f"{A}.ipynb"
        nbformat.write(make(nbformat.from_dict(released)), folder / name)

    rows, seconds = grading.autograde(A, course_dir, workers=2, timeout=5, progress=False)
    print(f"\nautograded {len(rows)} submissions in {seconds:.1f} s on 2 workers")
    return {"dir": course_dir, "rows": {r["student"]: r for r in rows}, "seconds": seconds}


def test_batch_of_30_scores_every_submission_correctly(course):
    rows = course["rows"]
    assert set(STUDENTS) <= set(rows)
    wrong = {s: rows[s]["score"] for s, kind in STUDENTS.items() if rows[s]["score"] != KINDS[kind][1]}
    assert not wrong, f"wrong scores: {wrong}\n{grading.format_table(rows.values())}"
    assert all(rows[s]["max"] == 2 for s in STUDENTS)
    failed = [s for s, r in rows.items() if any("nbgrader failed" in p for p in r["problems"])]
    assert sorted(failed) == ["renamed0", "renamed1", "renamed2"]  # nothing to grade there


def test_gradebook_loses_no_grade(course):
    """Every student has a submission with both graded cells stored, even under parallel writes."""
    with Gradebook(f"sqlite:///{course['dir'] / '.nbgrader' / 'gradebook.db'}") as gradebook:
        submissions = gradebook.find_assignment(A).submissions
        assert len(submissions) == len(STUDENTS) + 1
        for submission in submissions:
            grades = {g.name: g.score for g in submission.notebooks[0].grades}
            assert set(grades) == {"test_scale", "test_row_sums"}, submission.student.id
            assert all(score is not None for score in grades.values()), submission.student.id


def test_code_that_raises_fails_only_its_cell(course):
    assert course["rows"]["raises0"]["failing"] == ["test_scale (IndexError)"]


def test_infinite_loop_times_out_and_the_rest_is_graded(course):
    row = course["rows"]["loop0"]
    assert row["score"] == 1 and row["failing"] == ["test_scale (NameError)"]
    autograded = nbformat.read(course["dir"] / "autograded" / "loop0" / A / f"{A}.ipynb", as_version=4)
    errors = [o.ename for o in cell(autograded, "scale").outputs if o.output_type == "error"]
    assert "CellTimeoutError" in errors


def test_enormous_output_is_cut_and_graded(course):
    assert course["rows"]["output0"]["score"] == 2
    graded = course["dir"] / "autograded" / "output0" / A / f"{A}.ipynb"
    assert graded.stat().st_size < 100_000  # the student printed over 10 MB and 5000 lines


def test_edited_or_deleted_test_cells_are_restored(course):
    rows = course["rows"]
    assert rows["editstest0"]["failing"] == ["test_scale (AssertionError)"]
    assert rows["deletestest0"]["failing"] == ["test_row_sums (AssertionError)"]
    source = cell(nbformat.read(FIXTURE, as_version=4), "test_row_sums").source
    restored = nbformat.read(course["dir"] / "autograded" / "deletestest0" / A / f"{A}.ipynb", as_version=4)
    assert source in cell(restored, "test_row_sums").source


def test_copied_cells_with_duplicate_ids_are_graded(course):
    row = course["rows"]["dupids0"]
    assert row["score"] == 2 and not row["problems"]


def test_redefined_helpers_are_overridden_by_the_test_cells_imports(course):
    assert course["rows"]["redefines0"]["failing"] == ["test_scale (AssertionError)"]


def test_monkeypatched_library_is_flagged_for_a_human(course):
    problems = course["rows"]["patched0"]["problems"]
    assert any("check by hand" in p for p in problems), problems
    assert not any("check by hand" in p for s in STUDENTS for p in course["rows"][s]["problems"])


def test_missing_notebook_scores_zero_and_says_what_was_handed_in(course):
    row = course["rows"]["renamed0"]
    assert row["score"] == 0
    assert f"missing {A}.ipynb (handed in: {A} copy.ipynb)" in row["problems"]


def test_feedback_is_readable_and_hides_hidden_tests(course):
    students = ["wrongtype0", "redefines0", "good0"]
    assert grading.generate_feedback(A, course["dir"], students) == {}
    source = nbformat.read(FIXTURE, as_version=4)
    hidden = ["hidden_values = np.random", "hidden_matrix @ np.ones(3)", "np.random.default_rng(2024)"]
    solution = "np.asarray(x, dtype=np.float64) * factor"
    # without the feedback filter, the autograded notebooks do hold the hidden tests
    assert hidden[0] in (course["dir"] / "autograded" / "good0" / A / f"{A}.ipynb").read_text()
    assert all(line in "\n".join(c.source for c in source.cells) for line in hidden + [solution])
    pages = {s: (course["dir"] / "feedback" / s / A / f"{A}.html").read_text() for s in students}
    for student, page in pages.items():
        assert not any(line in page for line in hidden), student
        assert "BEGIN SOLUTION" not in page and "BEGIN HIDDEN" not in page
    assert solution not in pages["wrongtype0"] and solution not in pages["redefines0"]
    assert "did the function forget to" in pages["wrongtype0"]  # check_array's message


def test_plain_nbgrader_feedback_also_hides_hidden_tests(course):
    """The filter sits in nbgrader_config.py, so nbgrader's own command uses it too."""
    code, log = grading.nbgrader(course["dir"], "generate_feedback", A, "--student=raises0", "--force")
    assert code == 0, log
    page = (course["dir"] / "feedback" / "raises0" / A / f"{A}.html").read_text()
    assert "hidden_values = np.random" not in page and "BEGIN HIDDEN" not in page
    assert "IndexError" in page  # the student's own error is still shown


def test_cli_prints_the_summary_table(course):
    done = subprocess.run(
        [sys.executable, "-m", "dlcourse.grading", "--course", str(course["dir"]), "summary", A],
        capture_output=True, text=True, check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["student", "score", "max"]
    assert len(lines) == len(STUDENTS) + 2
    assert any(line.startswith("good0") and line.split()[1:3] == ["2", "2"] for line in lines)
