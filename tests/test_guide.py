"""docs/INSTRUCTORS.md works as written: its shell blocks run, in order, in a course folder.

The guide's commands run in a fresh shell (the `shell` fixture) against a course holding
A1-perceptron-activations; the test plays the students in between: alice hands in through the
exchange (fetch, answer, submit, and again before `collect --update`), bob through an
LMS's zip, with the file naming and the regular expression the guide gives. Lines that start a server (`./course lab`,
`formgrade`) are the only ones not run.
"""

import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "INSTRUCTORS.md"
A = "A1-perceptron-activations"
pytestmark = pytest.mark.xdist_group("guide")


def guide_commands():
    """The lines of the guide's ```bash blocks, without comments."""
    blocks = re.findall(r"```bash\n(.*?)```", GUIDE.read_text(), re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def guide_regexp():
    """The zip_collect regular expression the guide tells instructors to set."""
    return re.search(r"`(c\.FileNameCollectorPlugin\.named_regexp = .*?)`", GUIDE.read_text()).group(1)


def solution_answers(notebook):
    """The student version with the instructor's answers filled in."""
    source = nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = "\n".join(line for line in answers[grade_id].splitlines() if "### " not in line)
    return notebook


def nbgrader_as_student(folder, course, *args):
    """A student's own nbgrader (on a shared machine), pointed at the course's exchange."""
    command = [str(Path(sys.executable).parent / "nbgrader"), *args,
               f"--Exchange.root={course / '.nbgrader' / 'exchange'}", "--CourseDirectory.course_id=dlcourse"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_command_of_the_guide_runs(tmp_path, shell):
    (tmp_path / "course").mkdir()
    course = shell.new_course(tmp_path / "course")
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write("\n" + guide_regexp() + "\n")
    home = Path(shell.env["HOME"])
    (home / "Downloads").mkdir(exist_ok=True)
    student = tmp_path / "student"
    student.mkdir()

    commands = guide_commands()
    assert commands[0].startswith("./course nbgrader generate_assignment")
    assert any("zip_collect" in c for c in commands) and any("grade autograde" in c for c in commands)
    outputs = {}
    for line in commands:
        if line.startswith("./course nbgrader collect") and "--update" not in line:
            nbgrader_as_student(student, course, "fetch_assignment", A)
            notebook = student / A / f"{A}.ipynb"
            nbformat.write(solution_answers(nbformat.read(notebook, as_version=4)), notebook)
            nbgrader_as_student(student, course, "submit", A, "--student=alice")
        if line.startswith("./course nbgrader collect") and "--update" in line:
            time.sleep(1)  # a later hand-in: nbgrader's timestamps count seconds
            nbgrader_as_student(student, course, "submit", A, "--student=alice")
        if line.startswith("cp ~/Downloads/submissions.zip"):
            released = nbformat.read(course / "assignments" / A / f"{A}.ipynb", as_version=4)
            with zipfile.ZipFile(home / "Downloads" / "submissions.zip", "w") as archive:
                archive.writestr(f"bob_attempt_2024-05-01_{A}.ipynb", nbformat.writes(released))
        done = subprocess.run(["bash", "-c", line], cwd=course, env=shell.env, capture_output=True, text=True)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        outputs[line] = done.stdout + done.stderr

    updated = next(text for line, text in outputs.items() if "--update" in line)
    assert "Replacing the submission of alice" in updated, updated
    released = next(text for line, text in outputs.items() if "release_feedback" in line)
    assert "Not released" in released and "bob" in released, released
    graded = next(text for line, text in outputs.items() if "grade autograde" in line)
    rows = {line.split()[0]: line.split()[1:3] for line in graded.splitlines() if line.startswith(("alice ", "bob "))}
    assert rows == {"alice": ["14", "14"], "bob": ["0", "14"]}, graded
    assert (course / "feedback" / "alice" / A / f"{A}.html").exists()
    exported = (course / "grades.csv").read_text()
    assert re.search(rf"^{A},[^,]*,[^,]*,alice,.*,14\.0$", exported, re.M), exported
    summary = shell.run(course, "grade", "summary", A)  # named in the guide's text
    assert summary.returncode == 0 and "alice" in summary.stdout, summary.stderr
