"""The instructor's grading commands: ``python -m dlcourse.grading <command>``.

``./course grade autograde A6-keras-cnn-lstm --workers 2`` autogrades every collected
submission of an assignment, one ``nbgrader autograde --student=X`` process per worker,
with a progress bar and a summary table; ``summary`` prints that table again;
``feedback`` writes HTML feedback with the hidden tests taken out. Everything else
(generate, release, collect, zip_collect, export) is plain nbgrader:
``./course nbgrader ...``; docs/INSTRUCTORS.md walks through the whole cycle.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import LimitOutput, NbGraderPreprocessor

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?(### END HIDDEN TESTS|\Z)", re.S)
# Answer code that rebinds an attribute of a module the tests use (np.allclose = ...)
# cannot be undone by a test cell's own imports: such submissions are flagged.
PATCHING = re.compile(r"^\s*(np|numpy|dlcourse|checks|builtins|keras)\.[\w.]+\s*=[^=]|setattr\(\s*(np|numpy|dlcourse|checks|builtins)\b", re.M)


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback preprocessor: drop hidden tests from the source and tracebacks.

    A failing hidden test keeps its error name and message (written for students),
    but not the traceback, which would quote the hidden lines.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN.sub("# (hidden tests)", cell.source)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue} (in a hidden test)"]
        return cell, resources


class StderrIsNotAFailure(NbGraderPreprocessor):
    """Show what a cell wrote to stderr as ordinary output, so that it costs no points.

    nbgrader scores a test cell 0 as soon as it wrote anything to stderr. But correct
    code writes there too: TensorFlow's C++ core prints start-up notices when a cell
    first imports it, and a correct answer may call ``warnings.warn``. A test fails
    when it raises; the text stays in the cell, only no longer read as a failure.
    """

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                output.name = "stdout"
        return cell, resources


class DeduplicateIds(NbGraderPreprocessor):
    """Keep the last cell of each grade_id; earlier copies become plain cells.

    nbgrader's own DeduplicateIds leaves an empty ``nbgrader`` metadata dict on the
    copies, which its metadata check then rejects, failing the whole submission.
    """

    def preprocess(self, nb, resources):
        seen = set()
        for cell in reversed(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in seen:
                self.log.warning("Cell with id '%s' exists multiple times: grading the last one", grade_id)
                del cell.metadata["nbgrader"]
            elif grade_id:
                seen.add(grade_id)
        return nb, resources


class LimitText(LimitOutput):
    """nbgrader's LimitOutput (1000 lines per cell), plus 20,000 characters per stream."""

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and len(output.text) > 20_000:
                output.text = output.text[:20_000] + "\n... (output cut by the grader)\n"
        return cell, resources


def nbgrader(course_dir, *args):
    """Run one nbgrader command in the course directory; return (exit code, log)."""
    command = [str(Path(sys.executable).parent / "nbgrader"), *args]
    done = subprocess.run(command, cwd=course_dir, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def submitted_students(course_dir, assignment):
    """Students with a folder in submitted/<student>/<assignment>/."""
    return sorted(p.parent.name for p in Path(course_dir, "submitted").glob(f"*/{assignment}") if p.is_dir())


def autograde(assignment, course_dir=".", students=None, workers=None, timeout=None, progress=True):
    """Autograde every submission in parallel; return (summary rows, seconds).

    A student whose nbgrader run fails (e.g. a gradebook write that found sqlite
    locked) is graded once more, alone, after the parallel pass.
    """
    from tqdm import tqdm

    students = students or submitted_students(course_dir, assignment)
    workers = workers or os.cpu_count()
    args = ["autograde", assignment, "--force"]
    if timeout:
        args.append(f"--ExecutePreprocessor.timeout={timeout}")
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        jobs = pool.map(lambda s: (s, nbgrader(course_dir, *args, f"--student={s}")), students)
        results = dict(tqdm(jobs, total=len(students), desc=f"autograde {assignment}", unit="student", disable=not progress))
    for student, (code, log) in results.items():
        if code != 0:
            results[student] = nbgrader(course_dir, *args, f"--student={student}")
    seconds = time.perf_counter() - start
    return summary(assignment, course_dir, students, results), seconds


def error_names(notebook_path):
    """grade_id -> name of the error each graded cell raised, from an autograded notebook."""
    errors = {}
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []):
            if output.output_type == "error" and grade_id:
                errors.setdefault(grade_id, output.ename)
    return errors


def summary(assignment, course_dir=".", students=None, results=None):
    """One row per student: score, max, failing cells (with their error), problems."""
    students = students or submitted_students(course_dir, assignment)
    results = results or {}
    rows = []
    with Gradebook(f"sqlite:///{Path(course_dir, '.nbgrader', 'gradebook.db')}") as gradebook:
        notebooks = [n.name for n in gradebook.find_assignment(assignment).notebooks]
        for student in students:
            row = {"student": student, "score": 0.0, "max": 0.0, "failing": [], "problems": []}
            status, log = results.get(student, (0, ""))
            if status != 0:
                errors = [line for line in log.splitlines() if "ERROR]" in line] or log.strip().splitlines()[-1:]
                row["problems"].append("nbgrader failed: " + errors[0][:160])
            folder = Path(course_dir, "submitted", student, assignment)
            for name in notebooks:
                try:
                    graded = gradebook.find_submission_notebook(name, assignment, student)
                except MissingEntry:
                    row["problems"].append(f"not graded: {name}.ipynb")
                    continue
                row["score"] += graded.score
                row["max"] += graded.max_score
                submitted = folder / f"{name}.ipynb"
                if not submitted.exists():
                    found = ", ".join(sorted(p.name for p in folder.glob("*.ipynb"))) or "none"
                    row["problems"].append(f"missing {name}.ipynb (handed in: {found})")
                    continue
                code = "\n".join(c.source for c in nbformat.read(submitted, as_version=4).cells)
                if PATCHING.search(code):
                    row["problems"].append("check by hand: the code reassigns a library function")
                autograded = Path(course_dir, "autograded", student, assignment, f"{name}.ipynb")
                errors = error_names(autograded) if autograded.exists() else {}
                row["failing"] += [
                    f"{g.name} ({errors.get(g.name, 'no points')})"
                    for g in graded.grades
                    if g.max_score and (g.score or 0) < g.max_score
                ]
            rows.append(row)
    return rows


def format_table(rows):
    """The summary rows as a fixed-width text table."""
    lines = [f"{'student':<16} {'score':>6} {'max':>5}  failing cells / problems"]
    for row in rows:
        notes = "; ".join(row["failing"] + row["problems"]) or "-"
        lines.append(f"{row['student']:<16} {row['score']:>6g} {row['max']:>5g}  {notes}")
    return "\n".join(lines)


def generate_feedback(assignment, course_dir=".", students=None):
    """Write feedback/<student>/<assignment>/*.html for every autograded student.

    nbgrader_config.py takes the hidden tests out (HideHiddenTests).
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    api = NbGraderAPI(config=config)
    folders = Path(course_dir, "autograded").glob(f"*/{assignment}")
    failed = {}
    for student in students or sorted(p.parent.name for p in folders):
        result = api.generate_feedback(assignment, student)
        if not result["success"]:
            failed[student] = result.get("error") or result["log"]
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(prog="./course grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course directory (default: the current one)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("autograde", help="autograde every submission in parallel, then print the summary")
    run.add_argument("assignment")
    run.add_argument("--workers", type=int, default=os.cpu_count(), help="parallel nbgrader processes")
    run.add_argument("--student", action="append", help="only this student (repeatable)")
    run.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    table = commands.add_parser("summary", help="print the summary table from the gradebook")
    table.add_argument("assignment")
    notes = commands.add_parser("feedback", help="HTML feedback without hidden tests, in feedback/")
    notes.add_argument("assignment")
    args = parser.parse_args(argv)

    if args.command == "autograde":
        rows, seconds = autograde(args.assignment, args.course, args.student, args.workers, args.timeout)
        print(format_table(rows))
        per_minute = 60 * len(rows) / seconds if seconds else 0
        print(f"\n{len(rows)} submissions in {seconds:.0f} s ({per_minute:.1f} per minute, {args.workers} workers)")
    elif args.command == "summary":
        print(format_table(summary(args.assignment, args.course)))
    else:
        failed = generate_feedback(args.assignment, args.course)
        for student, error in failed.items():
            print(f"{student}: feedback failed: {error}", file=sys.stderr)
        print("feedback written to feedback/<student>/" + args.assignment)
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
