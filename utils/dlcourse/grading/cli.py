"""The instructor's grading commands: ``./course grade <command>`` (python -m dlcourse.grading).

    autograde A   grade every collected submission of A in parallel, then print the table
    summary A     print that table again, from the gradebook
    feedback A    HTML feedback for every graded student, hidden tests taken out
    bench A       time a batch of copies of A's solution (submissions per minute, memory)

Everything else (generate, release, collect, zip_collect, export) is plain nbgrader:
``./course nbgrader ...``; docs/INSTRUCTORS.md walks through the whole cycle.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from dlcourse.grading import batch, exchange, sandbox, summary


def generate_feedback(assignment, course_dir=".", students=None):
    """Write feedback/<student>/<assignment>/*.html; return {student: error} for failures."""
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=batch.load_config(course_dir, {}))
    folders = Path(course_dir, "autograded").glob(f"*/{assignment}")
    failed = {}
    for student in students or sorted(p.parent.name for p in folders):
        result = api.generate_feedback(assignment, student)
        if not result["success"]:
            failed[student] = result.get("error") or result["log"]
    return failed


def run_autograde(assignment, course, students, workers, settings):
    """Grade, print the table, the rate and the largest worker; return the table."""
    start = time.perf_counter()
    students = students or summary.students(course, assignment)
    invalid = [s for s in students if exchange.invalid_id(s)]
    for student in invalid:
        print(f"Not graded: {exchange.invalid_id(student)}", file=sys.stderr)
    students = [s for s in students if s not in invalid]
    results = batch.autograde(assignment, course, students, workers, settings)
    table = summary.rows(assignment, course, results)
    print(summary.format_table(table))
    seconds = time.perf_counter() - start
    peak = max((r["peak_mb"] for r in results.values()), default=0)
    print(f"\n{len(results)} submissions in {seconds:.0f} s ({60 * len(results) / seconds:.1f} per minute, "
          f"{workers} workers, peak memory of a worker and its kernels {peak:.0f} MiB)")
    return table


def run_bench(args, settings):
    """Grade N copies of the solution in a scratch course; report the rate and memory."""
    from nbgrader.apps import NbGraderAPI

    source = args.course / "solutions" / args.assignment
    with tempfile.TemporaryDirectory(prefix="dlcourse-bench-") as scratch:
        course = Path(scratch)
        shutil.copy(args.course / "nbgrader_config.py", course)
        shutil.copytree(source, course / "solutions" / args.assignment)
        generated = NbGraderAPI(config=batch.load_config(course, {})).generate_assignment(args.assignment)
        if not generated["success"]:
            raise SystemExit(generated["log"])
        for i in range(args.submissions):
            shutil.copytree(source, course / "submitted" / f"student{i:03d}" / args.assignment)
        table = run_autograde(args.assignment, course, None, args.workers, settings)
    full = sum(row["score"] == row["max"] for row in table)
    print(f"{full} of {len(table)} copies of the solution got full marks")
    return 0 if full == len(table) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="./course grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=Path.cwd(), help="course directory (default: the current one)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in [("autograde", "grade every submission in parallel, then print the table"),
                       ("bench", "time the grading of copies of the solution")]:
        command = commands.add_parser(name, help=text)
        command.add_argument("assignment")
        command.add_argument("--workers", type=int, default=os.cpu_count(), help="parallel grading processes")
        command.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
        command.add_argument("--unsafe-no-sandbox", action="store_true",
                             help="grade where no sandbox can run (macOS, no user namespaces): trusted work only")
        if name == "autograde":
            command.add_argument("--student", action="append", help="only this student (repeatable)")
        else:
            command.add_argument("--submissions", type=int, default=30, help="how many copies (default 30)")
    commands.add_parser("summary", help="print the table from the gradebook").add_argument("assignment")
    commands.add_parser("feedback", help="HTML feedback without hidden tests, in feedback/").add_argument("assignment")
    args = parser.parse_args(argv)
    args.course = args.course.resolve()

    if args.command in ("autograde", "bench"):
        settings = {}
        if args.timeout:
            settings["JudgeInSandbox.cell_timeout"] = args.timeout
        if args.unsafe_no_sandbox:
            settings["JudgeInSandbox.allow_unsafe"] = True
        else:
            reason = sandbox.unavailable_reason()
            if reason:
                print(sandbox.refusal(reason), file=sys.stderr)
                return 2
        if args.command == "bench":
            return run_bench(args, settings)
        run_autograde(args.assignment, args.course, args.student, args.workers, settings)
        return 0
    if args.command == "summary":
        print(summary.format_table(summary.rows(args.assignment, args.course)))
        return 0
    failed = generate_feedback(args.assignment, args.course)
    for student, error in failed.items():
        print(f"{student}: feedback failed: {error}", file=sys.stderr)
    print("feedback written to feedback/<student>/" + args.assignment)
    return 1 if failed else 0
