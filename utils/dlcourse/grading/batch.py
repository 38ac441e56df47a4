"""Autograde a whole class in parallel.

Each worker is one long-lived process that runs nbgrader's autograde (with every
preprocessor of nbgrader_config.py, so the sandbox and the judge) for one student after
another: the judge's imports (NumPy, TensorFlow) load once per worker, not once per
student. The parent hands out students as workers free up and collects the results.
A student whose grading fails gets 0 in the gradebook, with the reason, never the
score of an earlier run; a worker that takes longer than a submission may (the judge's
own limits failed) is killed and replaced.
"""

import contextlib
import json
import os
import resource
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

def gradebook(course_dir):
    return Gradebook(f"sqlite:///{Path(course_dir, '.nbgrader', 'gradebook.db').resolve()}")


def submitted_students(course_dir, assignment):
    """Students with a folder in submitted/<student>/<assignment>/."""
    return sorted(p.parent.name for p in Path(course_dir, "submitted").glob(f"*/{assignment}") if p.is_dir())


def load_config(course_dir, settings):
    """nbgrader_config.py of the course, with ``{"Class.trait": value}`` settings on top."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    for key, value in settings.items():
        section, trait = key.split(".")
        config[section][trait] = value
    return config


def autograde(assignment, course_dir, students, workers, settings, progress=True):
    """Grade ``students`` on ``workers`` processes; return {student: result dict}."""
    from tqdm import tqdm

    judge = load_config(course_dir, settings).JudgeInSandbox
    budget = judge.get("submission_timeout", 1800) + 300  # the judge's own limit, and then some
    queue = list(students)
    results = {}
    bar = tqdm(total=len(queue), desc=f"autograde {assignment}", unit="student", disable=not progress)
    pool = [Worker(assignment, course_dir, settings) for _ in range(min(workers, len(queue)))]
    selector = selectors.DefaultSelector()
    for worker in pool:
        selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
        worker.give(queue.pop(0))
    while any(worker.student for worker in pool):
        ready = [key.data for key, _ in selector.select(timeout=10)]
        ready += [w for w in pool if w.student and time.monotonic() - w.started > budget and w not in ready]
        for worker in ready:
            result = worker.result(budget)
            results[result["student"]] = result
            bar.update(1)
            if worker.process.poll() is not None:  # it crashed or was killed: replace it
                selector.unregister(worker.process.stdout)
                pool.remove(worker)
                worker.stop()
                worker = Worker(assignment, course_dir, settings)
                pool.append(worker)
                selector.register(worker.process.stdout, selectors.EVENT_READ, worker)
            if queue:
                worker.give(queue.pop(0))
    bar.close()
    for worker in pool:
        worker.stop()
    retry = [s for s, r in results.items() if not r["success"] and "database is locked" in r["log"]]
    if retry:  # sqlite refused a write under parallel load: once more, alone
        results.update(autograde(assignment, course_dir, retry, 1, settings, progress=False))
    for student, result in results.items():
        if not result["success"]:
            give_zero(course_dir, assignment, student)
    return results


class Worker:
    """One grading process, fed one student at a time over its standard input."""

    def __init__(self, assignment, course_dir, settings):
        self.log = tempfile.TemporaryFile()
        self.scratch = tempfile.mkdtemp(prefix="dlcourse-grading-")  # host files of unsandboxed kernels
        command = [sys.executable, "-m", "dlcourse.grading.batch", assignment, json.dumps(settings)]
        self.process = subprocess.Popen(command, cwd=course_dir, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True, start_new_session=True,
                                        env=dict(os.environ, DLCOURSE_GRADING_TMP=self.scratch))
        self.student = None
        self.started = None

    def give(self, student):
        self.student, self.started = student, time.monotonic()
        self.process.stdin.write(json.dumps(student) + "\n")
        self.process.stdin.flush()

    def result(self, budget):
        """The result for the current student; past the budget, the worker is killed."""
        if time.monotonic() - self.started > budget:
            os.killpg(self.process.pid, 9)
            line = ""
        else:
            line = self.process.stdout.readline()
        student, self.student = self.student, None
        try:
            return json.loads(line)
        except ValueError:
            self.process.wait()
            self.log.seek(0)
            tail = self.log.read().decode(errors="replace").strip().splitlines()[-3:]
            reason = f"the grading process died (exit code {self.process.returncode}): {' / '.join(tail)}"
            if self.process.returncode == -9:
                reason = f"grading took more than {budget} s: stopped"
            return {"student": student, "success": False, "log": reason, "error": reason, "seconds": 0, "peak_mb": 0}

    def stop(self):
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        self.process.wait()
        self.log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def give_zero(course_dir, assignment, student):
    """Make sure a student whose grading failed has 0 points, not an old score."""
    with gradebook(course_dir) as book:
        try:
            book.find_student(student)
        except MissingEntry:
            book.add_student(student)
        submission = book.update_or_create_submission(assignment, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                grade.auto_score = 0
                grade.manual_score = None
                grade.needs_manual_grade = False
        book.db.commit()


def serve(assignment, settings):
    """The worker's loop: a student id per line in, a JSON result per line out."""
    from nbgrader.apps import NbGraderAPI

    results = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever nbgrader or TensorFlow print goes to the log, not the results
    api = NbGraderAPI(config=load_config(".", settings))
    for line in sys.stdin:
        student = json.loads(line)
        start = time.perf_counter()
        result = api.autograde(assignment, student, force=True, create=True)
        peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        results.write(json.dumps({
            "student": student, "success": bool(result["success"]), "log": result.get("log") or "",
            "error": result.get("error"), "seconds": time.perf_counter() - start, "peak_mb": peak / 1024,
        }) + "\n")
        results.flush()


if __name__ == "__main__":
    serve(sys.argv[1], json.loads(sys.argv[2]))
