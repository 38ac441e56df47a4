"""Grading that survives bad and hostile submissions: the instructor's own commands, in a
shell of their own (the `shell` fixture: nothing of pytest's environment reaches the grader).

One module-scoped course folder (the repo's `course` script and nbgrader_config.py, and
the tiny numpy-only assignment tests/fixtures/grading/G0-tiny.ipynb, two 1-point tasks)
gets 24 submissions of twelve kinds, good and bad, plus the corpus of hostile and broken
submissions in tests/fixtures/hostile/ (its README says how each is made), all
autograded with `./course grade autograde G0-tiny --workers 2 --timeout 5`. Each test
checks one kind in the table that command prints, the files it wrote, the feedback, or
what is left on the machine afterwards.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from conftest import Shell
from dlcourse.grading import cli, sandbox

ROOT = Path(__file__).resolve().parents[1]
A = "G0-tiny"
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / f"{A}.ipynb"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
LISTENER_PORT = 47193  # tests/fixtures/hostile/network.py tries to reach it
# Text of the instructor's notebook that no student may ever see (in G0-tiny.ipynb).
SECRETS = ["SOLUTION-K9F4", "HIDDEN-7Q2W", "BEGIN SOLUTION", "BEGIN HIDDEN", "hidden_values", "hidden_matrix"]
# tests/fixtures/hostile/html_injection.py's payloads as live tags (escaped text is fine).
UNSAFE_HTML = re.compile(r"<script>alert|<[a-z]+[^>]*\son\w+=[\"']?alert|<iframe|href=[\"']?javascript:alert", re.I)
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


def fails_hidden_tests_only(nb):
    """Right for the visible check's 1-D input, wrong for the hidden test's 2-D one."""
    return answer(nb, "scale", (
        "def scale(x, factor):\n"
        "    x = np.asarray(x, dtype=np.float64)\n"
        "    return x * factor if x.ndim == 1 else x\n"
    ))


def noisy(nb):
    """Correct answers that write to stderr when called, as Python and as native code."""
    return answer(nb, "scale", (
        "import os\nimport warnings\n\n\n"
        "def scale(x, factor):\n"
        "    warnings.warn('scale() is deprecated', DeprecationWarning, stacklevel=2)\n"
        "    warnings.warn('factor is large')\n"
        "    os.write(2, b'native library: notice on file descriptor 2\\n')\n"
        "    return np.asarray(x, dtype=np.float64) * factor\n"
    ))


def probes_environment(nb):
    """A correct submission that prints the names of its kernel's environment variables."""
    cell(nb, "scale").source += "\nimport json, os\nprint('environment:', json.dumps(sorted(os.environ)))\n"
    return nb


def redefines_helpers(nb):
    return answer(nb, "scale", WRONG_SCALE + (
        "from dlcourse import checks\n\n\n"
        "def assert_close(*args, **kwargs):\n    return 0.0\n\n\n"
        "def check_array(name, value, **kwargs):\n    return value\n"
    ))


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
    "noisy": (noisy, 2),
    "hiddenonly": (fails_hidden_tests_only, 1),
}
STUDENTS = {f"{kind}{i}": kind for i in range(2) for kind in KINDS}  # 24 submissions
SINGLES = {"probe0": probes_environment}


def hostile_cases():
    """{name: (expected score, flagged?, [(section words, body)])} from tests/fixtures/hostile/."""
    cases = {}
    for path in sorted(HOSTILE.glob("*.py")):
        text = path.read_text()
        expect = re.match(r'"""Expect (\d+)(, flagged)?: ', text)
        assert expect, f"{path.name} does not start with its expected score"
        parts = re.split(r"^# %% ?(.*)\n", text, flags=re.M)[1:]
        sections = [(head.split(), body) for head, body in zip(parts[::2], parts[1::2])]
        cases[path.stem] = (int(expect.group(1)), bool(expect.group(2)), sections)
    return cases


HOSTILE_CASES = hostile_cases()


def hand_in(released, sections, folder):
    """Write a corpus submission into ``folder``, from the released notebook with answers."""
    nb = nbformat.from_dict(released)
    text, write = None, True
    for words, body in sections:
        operation = words[0] if words else ""
        if operation == "append":
            cell(nb, words[1]).source += "\n" + body
        elif operation == "delete":
            nb.cells.remove(cell(nb, words[1]))
        elif operation == "metadata":
            cell(nb, words[1]).metadata["nbgrader"].update(json.loads(body))
        elif operation == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(body))
        elif operation == "code":
            nb.cells.append(nbformat.v4.new_code_cell(body))
        elif operation == "link":
            (folder / words[1]).symlink_to(words[2])
        elif operation == "file":
            (folder / words[1]).parent.mkdir(parents=True, exist_ok=True)
            (folder / words[1]).write_text(body)
        elif operation == "notebook":
            text = body
        elif operation == "nothing":
            write = False
        else:
            answer(nb, operation, body)
    if text is not None:
        (folder / f"{A}.ipynb").write_text(text)
    elif write:
        nbformat.write(nb, folder / f"{A}.ipynb")


def read_table(text):
    """The rows of `./course grade`'s summary table: {student: {score, max, notes}}."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:3] == ["student", "score", "max"])
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        student, score, max_score, notes = line.split(maxsplit=3)
        rows[student] = {
            "score": float(score), "max": float(max_score),
            "notes": [] if notes == "-" else notes.split("; "),
        }
    return rows


class Listener:
    """A TCP server on the instructor's loopback that counts who connects to it."""

    def __init__(self, port):
        self.server = socket.create_server(("127.0.0.1", port))
        self.server.settimeout(0.5)
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                self.server.accept()[0].close()
                self.connections += 1
            except OSError:
                pass

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory, shell):
    """A course with G0-tiny released and every submission autograded.

    Every submission starts from the released notebook with the solution's answers.
    """
    course_dir = shell.new_course(tmp_path_factory.mktemp("course"))
    (course_dir / "solutions" / A).mkdir(parents=True)
    shutil.copy(FIXTURE, course_dir / "solutions" / A / f"{A}.ipynb")
    generated = shell.run(course_dir, "nbgrader", "generate_assignment", A)
    assert generated.returncode == 0, generated.stderr

    released = nbformat.read(course_dir / "assignments" / A / f"{A}.ipynb", as_version=4)
    solution = nbformat.read(FIXTURE, as_version=4)
    for grade_id in ("scale", "row_sums"):
        lines = cell(solution, grade_id).source.splitlines()
        answer(released, grade_id, "\n".join(line for line in lines if "### " not in line))

    makers = {student: KINDS[kind][0] for student, kind in STUDENTS.items()} | SINGLES
    for student, make in makers.items():
        folder = course_dir / "submitted" / student / A
        folder.mkdir(parents=True)
        name = f"{A} copy.ipynb" if STUDENTS.get(student) == "renamed" else f"{A}.ipynb"
        nbformat.write(make(nbformat.from_dict(released)), folder / name)
    for case, (_, _, sections) in HOSTILE_CASES.items():
        folder = course_dir / "submitted" / case / A
        folder.mkdir(parents=True)
        hand_in(released, sections, folder)

    listener = Listener(LISTENER_PORT)
    try:
        graded = shell.run(course_dir, "grade", "autograde", A, "--workers", 2, "--timeout", 5)
    finally:
        listener.close()
    assert graded.returncode == 0, graded.stderr
    print("\n" + graded.stdout.splitlines()[-1])  # N submissions in S s (R per minute, 2 workers)
    return {"dir": course_dir, "rows": read_table(graded.stdout), "table": graded.stdout, "listener": listener}


def autograded(course, student):
    return nbformat.read(course["dir"] / "autograded" / student / A / f"{A}.ipynb", as_version=4)


def test_batch_scores_every_submission_correctly(course):
    rows = course["rows"]
    assert set(rows) == set(STUDENTS) | set(SINGLES) | set(HOSTILE_CASES)
    expected = {s: KINDS[kind][1] for s, kind in STUDENTS.items()} | {s: 2 for s in SINGLES}
    expected |= {case: score for case, (score, _, _) in HOSTILE_CASES.items()}
    wrong = {s: (rows[s]["score"], want) for s, want in expected.items() if rows[s]["score"] != want}
    assert not wrong, f"wrong scores (got, expected): {wrong}\n{course['table']}"
    assert all(row["max"] == 2 for row in rows.values())
    failed = sorted(s for s, r in rows.items() if any("grading failed" in note for note in r["notes"]))
    assert failed == ["empty_folder", "renamed0", "renamed1", "unreadable"]  # nothing to grade there


def test_correct_answers_that_write_to_stderr_keep_their_points(course):
    """warnings and native code's stderr reach the test cells, and cost nothing."""
    row = course["rows"]["noisy0"]
    assert row["score"] == 2 and row["notes"] == [], row
    printed = "".join(
        output.get("text", "") for c in autograded(course, "noisy0").cells for output in c.get("outputs", [])
    )
    assert "factor is large" in printed  # the warning is still shown to the student
    assert "notice on file descriptor 2" in printed  # the kernel forwarded native stderr


def test_the_graders_kernels_see_nothing_of_the_instructors_environment(course):
    """The student's kernel gets the sandbox's few settings, nothing of the shell or of pytest."""
    assert course["rows"]["probe0"]["score"] == 2
    printed = "".join(output.get("text", "") for output in cell(autograded(course, "probe0"), "scale").outputs)
    names = set(json.loads(printed.split("environment:", 1)[1].splitlines()[0]))
    assert "NBGRADER_EXECUTION" in names  # really a kernel the grader started
    allowed = set(sandbox.environment()) | {"PWD"}  # bwrap sets PWD to the submission folder
    assert names <= allowed, f"the grader's kernel saw {sorted(names - allowed)}"


def test_gradebook_loses_no_grade(course):
    """Every student has a submission with both graded cells stored, even under parallel writes."""
    with Gradebook(f"sqlite:///{course['dir'] / '.nbgrader' / 'gradebook.db'}") as gradebook:
        submissions = gradebook.find_assignment(A).submissions
        assert {s.student.id for s in submissions} >= set(STUDENTS) | set(SINGLES)
        for submission in submissions:
            grades = {g.name: g.score for g in submission.notebooks[0].grades}
            assert set(grades) == {"test_scale", "test_row_sums"}, submission.student.id
            assert all(score is not None for score in grades.values()), submission.student.id


def test_a_failing_hidden_test_tells_the_instructor_why_and_the_student_only_that(course):
    assert course["rows"]["hiddenonly0"]["notes"] == ["test_scale (AssertionError in a hidden test)"]
    errors = [o for o in cell(autograded(course, "hiddenonly0"), "test_scale").outputs if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [("HiddenTestFailed", "a hidden test failed")]


def test_code_that_raises_fails_only_its_cell(course):
    assert course["rows"]["raises0"]["notes"] == ["test_scale (IndexError)"]


def test_infinite_loop_times_out_and_the_rest_is_graded(course):
    row = course["rows"]["loop0"]
    assert row["score"] == 1 and row["notes"] == ["test_scale (NameError)"]
    errors = [o.ename for o in cell(autograded(course, "loop0"), "scale").outputs if o.output_type == "error"]
    assert "CellTimeout" in errors


def test_enormous_output_is_cut_and_graded(course):
    assert course["rows"]["output0"]["score"] == 2
    graded = course["dir"] / "autograded" / "output0" / A / f"{A}.ipynb"
    assert graded.stat().st_size < 100_000  # the student printed over 10 MB and 5000 lines


def test_edited_or_deleted_test_cells_are_restored(course):
    rows = course["rows"]
    assert rows["editstest0"]["notes"] == ["test_scale (AssertionError)"]
    assert rows["deletestest0"]["notes"] == ["test_row_sums (AssertionError)"]
    source = cell(nbformat.read(FIXTURE, as_version=4), "test_row_sums").source
    assert source in cell(autograded(course, "deletestest0"), "test_row_sums").source


def test_copied_cells_with_duplicate_ids_are_graded(course):
    row = course["rows"]["dupids0"]
    assert row["score"] == 2 and row["notes"] == []


def test_redefined_helpers_change_nothing_the_judge_uses(course):
    assert course["rows"]["redefines0"]["notes"] == ["test_scale (AssertionError)"]


def test_deliberate_attempts_are_flagged_for_a_human(course):
    rows = course["rows"]
    flagged = {case for case, (_, flag, _) in HOSTILE_CASES.items() if flag}
    unflagged = set(rows) - flagged
    missed = [case for case in flagged if not any("check by hand" in note for note in rows[case]["notes"])]
    assert not missed, {case: rows[case]["notes"] for case in missed}
    wrongly = [s for s in unflagged if any("check by hand" in note for note in rows[s]["notes"])]
    assert not wrongly, {s: rows[s]["notes"] for s in wrongly}


def test_the_scored_run_shows_nothing_in_the_students_own_cells(course):
    """leaks_through_own_cells.py: its extra cells fail in the scored run only; nothing of that shows."""
    notebook = autograded(course, "leaks_through_own_cells")
    own = [c for c in notebook.cells if c.cell_type == "code" and "nbgrader" not in c.metadata]
    assert len(own) == 2 and not [o for c in own for o in c.outputs if o.output_type == "error"]


def test_a_kernel_that_dies_costs_only_the_cells_after_it(course):
    for case in ("os_exit", "kill_kernel", "ignores_timeout"):
        assert course["rows"][case]["notes"][:1] == ["test_row_sums (KernelDied)"], course["rows"][case]


def outputs_text(notebook):
    return "\n".join(
        output.get("text", "") + output.get("evalue", "") + "".join(output.get("traceback", []))
        for c in notebook.cells for output in c.get("outputs", [])
    )


def test_student_code_cannot_read_or_write_outside_its_sandbox(course, shell):
    """Nothing of the instructor's reached any output; nothing was written outside."""
    for student in set(HOSTILE_CASES) - {"unreadable", "empty_folder"}:
        printed = outputs_text(autograded(course, student))
        assert not [secret for secret in SECRETS if secret in printed], student
    found = outputs_text(autograded(course, "read_solutions"))
    assert "files found: []" in found  # not even the other students' notebooks
    assert "wrote" not in outputs_text(autograded(course, "gradebook"))
    wrote = outputs_text(autograded(course, "write_outside"))
    assert "refused /work/pwned-by-student.txt" in wrote
    links = outputs_text(autograded(course, "links_to_the_course"))
    assert "notes.txt False" in links and "gradebook.db False" in links  # links are not handed over
    places = [course["dir"], Path(shell.env["HOME"]), Path("/tmp")]
    # os.walk, not rglob: other tests' temporary folders under /tmp come and go meanwhile.
    left = [os.path.join(folder, name) for place in places for folder, _, files in os.walk(place)
            for name in files if name == "pwned-by-student.txt"]
    assert not left, left


def test_sandbox_has_no_network_and_caps_memory_and_processes(course):
    network = outputs_text(autograded(course, "network"))
    assert "INTERFACES ['lo']" in network and "no connection" in network
    assert course["listener"].connections == 0
    assert "MemoryError" in outputs_text(autograded(course, "memory_hog"))
    bomb = outputs_text(autograded(course, "fork_bomb"))
    children = int(re.search(r"CHILDREN (\d+)", bomb).group(1))
    assert "fork refused" in bomb and children < 300, bomb


def test_no_process_outlives_its_grading(course):
    """The detached process of leftover_process.py and the children of fork_bomb.py are gone."""
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
    assert not [p for p in processes if p.startswith(("sleep 987", "sleep 988"))]


def test_feedback_of_hostile_submissions_leaks_nothing(course, shell):
    """No hidden test, solution, hidden input or script in any page a student gets."""
    done = shell.run(course["dir"], "grade", "feedback", A)
    assert done.returncode == 0, done.stderr
    hidden = np.concatenate([np.random.default_rng(2024).normal(size=20), np.random.default_rng(77).normal(size=18)])
    values = [f"{abs(v):.8f}"[:7] for v in np.concatenate([hidden, 2.5 * hidden[:20]])]
    unsafe = UNSAFE_HTML
    for case in set(HOSTILE_CASES) - {"unreadable", "empty_folder"}:
        page = (course["dir"] / "feedback" / case / A / f"{A}.html").read_text()
        assert not [secret for secret in SECRETS if secret in page], case
        assert not [v for v in values if v in page], case
        assert not unsafe.search(page), (case, unsafe.search(page))
    page = (course["dir"] / "feedback" / "print_inputs" / A / f"{A}.html").read_text()
    assert "ARGS [1, 2] 3" in page  # what the student printed in the visible tests is shown


def test_grading_refuses_without_a_sandbox_unless_told(course, shell):
    """Where bubblewrap cannot run, nothing is graded unless the instructor says it is unsafe."""
    no_sandbox = Shell(Path(shell.env["HOME"]))
    no_sandbox.env["DLCOURSE_BWRAP"] = "/bin/false"  # a bwrap that cannot start a sandbox
    refused = no_sandbox.run(course["dir"], "grade", "autograde", A, "--student", "good0")
    assert refused.returncode == 2 and "Refusing to grade" in refused.stderr, refused.stderr
    allowed = no_sandbox.run(course["dir"], "grade", "autograde", A, "--student", "good0", "--unsafe-no-sandbox")
    assert allowed.returncode == 0, allowed.stderr
    assert read_table(allowed.stdout)["good0"]["score"] == 2


def test_every_student_is_in_the_summary_and_the_export_with_the_reason(course, shell):
    rows = course["rows"]
    assert any(note.startswith(f"unreadable {A}.ipynb") for note in rows["unreadable"]["notes"])
    assert f"missing {A}.ipynb (handed in: nothing)" in rows["empty_folder"]["notes"]
    done = shell.run(course["dir"], "nbgrader", "export")
    assert done.returncode == 0, done.stderr
    exported = (course["dir"] / "grades.csv").read_text()
    for student in ("unreadable", "empty_folder", "renamed0", "good0"):
        assert re.search(rf"^{A},[^,]*,[^,]*,{student},", exported, re.M), student


def test_missing_notebook_scores_zero_and_says_what_was_handed_in(course):
    row = course["rows"]["renamed0"]
    assert row["score"] == 0
    assert f"missing {A}.ipynb (handed in: {A} copy.ipynb)" in row["notes"]


def test_feedback_is_readable_and_hides_hidden_tests(course):
    students = ["wrongtype0", "redefines0", "good0"]
    assert cli.generate_feedback(A, course["dir"], students) == {}
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


def test_plain_nbgrader_feedback_also_hides_hidden_tests(course, shell):
    """The filter sits in nbgrader_config.py, so nbgrader's own command uses it too."""
    done = shell.run(course["dir"], "nbgrader", "generate_feedback", A, "--student=raises0", "--force")
    assert done.returncode == 0, done.stderr
    page = (course["dir"] / "feedback" / "raises0" / A / f"{A}.html").read_text()
    assert "hidden_values = np.random" not in page and "BEGIN HIDDEN" not in page
    assert "IndexError" in page  # the student's own error is still shown


def test_summary_prints_the_table_again_from_the_gradebook(course, shell):
    done = shell.run(course["dir"], "grade", "summary", A)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["student", "score", "max"]
    rows = read_table(done.stdout)
    assert set(STUDENTS) | set(SINGLES) <= set(rows)
    assert rows["good0"]["score"] == rows["noisy0"]["score"] == 2


def test_the_formgrader_grades_the_same_way_and_shows_no_script(course, shell):
    """The Autograde button posts to the formgrader in `./course lab`; it grades in that server."""
    shutil.copytree(course["dir"] / "submitted" / "noisy0", course["dir"] / "submitted" / "button0")
    with Gradebook(f"sqlite:///{course['dir'] / '.nbgrader' / 'gradebook.db'}") as gradebook:
        injected = gradebook.find_submission_notebook(A, A, "html_injection").id
    with shell.lab(course["dir"]) as request:
        reply = json.loads(request(f"/formgrader/api/submission/{A}/button0/autograde", "POST"))
        page = request(f"/formgrader/submissions/{injected}/")
    assert reply["success"], reply.get("error") or reply["log"]
    with Gradebook(f"sqlite:///{course['dir'] / '.nbgrader' / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission_notebook(A, A, "button0")
        assert (graded.score, graded.max_score) == (2, 2)
    assert "click me" in page and "stdout" in page  # the student's markdown and output are shown...
    assert not UNSAFE_HTML.search(page)  # ...as text
