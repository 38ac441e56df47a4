"""The class's results: one row per student, a score and, when it is short, why.

Every student with a submission folder or a gradebook entry gets a row, whatever state
their files are in: a notebook that is missing, renamed, empty or not JSON is named as
such, never a crash of the table.
"""

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from dlcourse.grading import batch, judge

# Code that reaches into the interpreter or a library changes nothing the judge sees,
# but it is a sign of an attempt to cheat: such submissions are flagged for a human.
INTERPRETER_HOOKS = re.compile(
    r"\b(input_transformers_\w+|ast_transformers|sys\.displayhook|sys\.excepthook|__code__"
    r"|os\._exit|os\.kill|sys\.modules|events\.register)\b"
)


def suspicious(code):
    """Why this code looks like an attempt on the grader, or None."""
    hook = INTERPRETER_HOOKS.search(code)
    if hook:
        return f"hooks into the interpreter ({hook.group(1)})"
    try:
        tree = ast.parse(code)
    except Exception:  # SyntaxError, or MemoryError / RecursionError on absurd code
        return None
    modules = {(alias.asname or alias.name).split(".")[0]
               for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    modules |= {"np", "numpy"}
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
            targets = node.args[:1]
        for target in targets:
            base = target
            while isinstance(base, (ast.Attribute, ast.Subscript)):
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules and base is not target:
                return f"changes the module {base.id}"
    return None


def shadowing(folder):
    """Files or folders handed in that would shadow an installed package (dlcourse/, numpy.py)."""
    names = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    return sorted(name for name in names if name.isidentifier() and importlib.util.find_spec(name) is not None)


def students(course_dir, assignment):
    """Every student with a submission folder or a gradebook submission of the assignment."""
    found = set(batch.submitted_students(course_dir, assignment))
    with batch.gradebook(course_dir) as book:
        try:
            found |= {s.student.id for s in book.find_assignment(assignment).submissions}
        except MissingEntry:
            pass
    return sorted(found)


def rows(assignment, course_dir=".", results=None):
    """One dict per student: student, score, max, failing (cells), problems."""
    results = results or {}
    table = []
    with batch.gradebook(course_dir) as book:
        notebooks = [n.name for n in book.find_assignment(assignment).notebooks]
        maximum = sum(n.max_score for n in book.find_assignment(assignment).notebooks)
        for student in students(course_dir, assignment):
            row = {"student": student, "score": 0.0, "max": maximum, "failing": [], "problems": []}
            result = results.get(student)
            if result and not result["success"]:
                row["problems"].append("grading failed: " + first_error(result))
            folder = Path(course_dir, "submitted", student, assignment)
            for name in notebooks:
                row["problems"] += handed_in(folder, name)
                try:
                    graded = book.find_submission_notebook(name, assignment, student)
                except MissingEntry:
                    row["problems"].append(f"not graded: {name}.ipynb")
                    continue
                row["score"] += graded.score
                autograded = Path(course_dir, "autograded", student, assignment, f"{name}.ipynb")
                errors = error_names(autograded)
                row["failing"] += [
                    f"{g.name} ({errors.get(g.name, 'no points')})"
                    for g in graded.grades
                    if g.max_score and (g.score or 0) < g.max_score
                ]
            table.append(row)
    return table


def handed_in(folder, name):
    """What is wrong with the student's copy of notebook ``name``, as a list of problems."""
    if not folder.is_dir():
        return ["no submission folder"]
    path = folder / f"{name}.ipynb"
    if not path.exists():
        found = ", ".join(sorted(p.name for p in folder.glob("*.ipynb"))) or "nothing"
        return [f"missing {name}.ipynb (handed in: {found})"]
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:
        return [f"unreadable {name}.ipynb ({type(error).__name__}: {str(error).splitlines()[0][:100]})"]
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    problems = [] if code.strip() else [f"{name}.ipynb has no code"]
    reason = suspicious(code)
    if reason:
        problems.append(f"check by hand: the code {reason}")
    shadows = shadowing(folder)
    if shadows:
        problems.append(f"check by hand: handed in {', '.join(shadows)}, which shadows an installed package")
    return problems


def error_names(path):
    """grade_id -> the error its cell raised, from an autograded notebook."""
    errors = {}
    try:
        cells = nbformat.read(path, as_version=4).cells
    except Exception:
        return errors
    for cell in cells:
        hidden = cell.metadata.get("dlcourse", {}).get("hidden_failure")
        for output in cell.get("outputs", []):
            if output.output_type == "error" and judge.grade_id(cell):
                name = f"{hidden} in a hidden test" if hidden and output.ename == "HiddenTestFailed" else output.ename
                errors.setdefault(judge.grade_id(cell), name)
    return errors


def first_error(result):
    lines = [line for line in result["log"].splitlines() if "ERROR]" in line or "Error" in line]
    text = (lines or result["log"].strip().splitlines() or [str(result.get("error"))])[0]
    return text[:160]


def format_table(table):
    """The rows as a fixed-width text table (control characters from file names shown as ?)."""
    lines = [f"{'student':<16} {'score':>6} {'max':>5}  failing cells / problems"]
    for row in table:
        notes = re.sub(r"[\x00-\x1f\x7f]", "?", "; ".join(row["failing"] + row["problems"]) or "-")
        lines.append(f"{row['student']:<16} {row['score']:>6g} {row['max']:>5g}  {notes}")
    return "\n".join(lines)
