"""The judge: grades one notebook, running the tests where student code never runs.

The student's cells run in their kernel, in the sandbox. The judge walks the
instructor's notebook: its given (locked) cells and its test cells, hidden tests and
all, run here, in a fresh namespace, where every function the student was asked to
write is a handle that calls the kernel and gets back plain data (wire.py). So
nothing the student writes can change a test, a check helper, NumPy, the display hook
or the way a cell's result is read: the student's code only ever computes answers.

A test cell scores when its code raises nothing; the judge never writes an
execute_result or stderr into a test cell, so nbgrader's other ways of scoring (partial
credit from a printed number) are closed. What a hidden test does stays hidden: see
grade() for the two passes.
"""

import ast
import contextlib
import io
import linecache
import os
import re
import signal
import threading
import time
import traceback

import numpy as np
from nbformat.v4 import new_output

from dlcourse.grading import wire

# nbgrader hides every line between a line containing BEGIN HIDDEN TESTS and one containing END HIDDEN TESTS.
HIDDEN = re.compile(r"^[^\n]*BEGIN HIDDEN TESTS[^\n]*\n(.*?)(^[^\n]*END HIDDEN TESTS[^\n]*(\n|\Z)|\Z)", re.S | re.M)
HIDDEN_FAILURE = "a hidden test failed"
MAX_TEXT = 20_000


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def kind(cell):
    """'answer', 'test', 'given' (a locked code cell) or None, from nbgrader's metadata."""
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code" or not meta.get("grade_id"):
        return None
    if meta.get("solution"):
        return "answer"
    if meta.get("grade"):
        return "test"
    return "given" if meta.get("locked") else None


def segments(source):
    """The test's source as [(code, hidden)], split at the hidden-test markers."""
    parts, start = [], 0
    for match in HIDDEN.finditer(source):
        parts += [(source[start:match.start()], False), (match.group(1), True)]
        start = match.end()
    parts.append((source[start:], False))
    return [(code, hidden) for code, hidden in parts if code.strip()]


def declared_names(source):
    """The functions, classes and variables a cell defines at its top level."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return names


class JudgeTimeout(Exception):
    """The judge's own work for a cell (a given cell training the student's model) ran too long."""


@contextlib.contextmanager
def alarm(seconds):
    """Interrupt the judge's own code after ``seconds`` (only where signals can: the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise JudgeTimeout(f"the grader's part of this cell ran for more than {seconds:.0f} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class KernelLink:
    """The judge's side of the pipes: requests to the kernel, callbacks from it."""

    def __init__(self, channel):
        self.channel = channel
        os.set_blocking(channel.write_fd, False)  # a kernel that stops reading cannot block the judge
        self.callbacks = []
        self.sink = None  # where the kernel's output goes while a test runs (None: dropped)
        self.dead = None  # why the kernel is gone

    def request(self, header, buffers=()):
        if self.dead:
            raise wire.KernelDied(self.dead)
        try:
            self.channel.send(header, buffers)
            while True:
                reply, reply_buffers = self.channel.receive()
                if reply.get("reply"):
                    if self.sink is not None and isinstance(reply.get("output"), str):
                        self.sink.write(reply["output"])
                    return reply, reply_buffers
                self.serve_callback(reply, reply_buffers)
        except (wire.KernelDied, wire.WireError, TimeoutError, JudgeTimeout, ValueError, TypeError, KeyError,
                RecursionError) as error:
            self.dead = f"{type(error).__name__}: {error}"
            raise wire.KernelDied(f"the kernel stopped answering ({self.dead})") from None

    def serve_callback(self, header, buffers):
        """The student's code called a function the judge passed it (e.g. a loss to differentiate).

        The callable gets copies: what it changes is reported back to the kernel, whose
        own arrays take the change (a test's function may perturb its input in place).
        """
        decoder = wire.Decoder(buffers)
        encoder = wire.Encoder(self.callbacks)
        index = header.get("id")
        if header.get("op") != "callback" or not isinstance(index, int) or not 0 <= index < len(self.callbacks):
            raise wire.WireError("unexpected request from the kernel")
        args, kwargs = decoder.decode(header["args"]), decoder.decode(header["kwargs"])
        if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise wire.WireError("malformed callback")
        before = [wire.fingerprint(leaf) for leaf in decoder.leaves]
        try:
            reply = {"value": encoder.encode(self.callbacks[index](*args, **kwargs))}
        except Exception as error:
            reply = {"raise": {"type": type(error).__name__, "message": str(error)}}
        reply.update(reply=True, mutated=wire.changed_leaves(decoder.leaves, before, encoder))
        self.channel.send(reply, encoder.buffers)

    def run(self, code, seconds):
        reply, _ = self.request({"op": "run", "code": code, "seconds": seconds})
        return reply

    def call(self, name, args, kwargs):
        encoder = wire.Encoder(self.callbacks)
        header = {"op": "call", "name": name, "args": encoder.encode(list(args)),
                  "kwargs": encoder.encode(dict(kwargs)), "seconds": self.seconds_left()}
        reply, buffers = self.request(header, encoder.buffers)
        failure, changed = reply.get("raise"), reply.get("mutated", [])
        try:
            changed_arrays = [i for i, _ in changed if isinstance(encoder.leaves[i], np.ndarray)]
            value = None if failure else wire.Decoder(buffers).decode(reply["value"])
        except Exception as error:
            raise wire.WireError(f"the kernel's reply to {name}() is unreadable: {type(error).__name__}") from None
        if isinstance(failure, dict):
            raise wire.student_error(str(failure.get("type")), str(failure.get("message")))
        if changed_arrays:
            raise ValueError(f"{name}() changed an array it was given, in place: return a new array instead")
        return value

    def seconds_left(self):
        """The kernel's own time limit for a request: what is left of the judge's deadline."""
        if self.channel.deadline is None:
            return None
        return max(1.0, self.channel.deadline - time.monotonic() - 5)

    def describe(self, name):
        """A handle on the kernel's function ``name``, its value, or None (missing or unreadable)."""
        reply, buffers = self.request({"op": "describe", "name": name, "seconds": 60})
        if reply.get("callable"):
            return wire.RemoteFunction(name, self.call)
        try:
            return wire.Decoder(buffers).decode(reply["value"])
        except Exception:
            return None


def grade(instructor, student, start_kernel, cell_timeout, submission_timeout):
    """Grade the sanitized submission ``student`` in place, against the ``instructor``'s notebook.

    Two passes, each with a fresh kernel from ``start_kernel()`` (a context manager
    yielding a KernelLink). The shown pass runs the visible tests only: its outputs are
    what the student and the instructor see. The scored pass runs every test, hidden
    ones too, and shows nothing: a hidden test's inputs never reach a kernel whose output
    is kept, so a submission cannot print them, stash them for a later cell, or return
    them into a visible test's message. A test cell scores if both passes pass it; a
    kernel that dies costs only the cells after it. Both passes together get at most
    ``submission_timeout`` seconds; each cell, ``cell_timeout``.
    """
    end = time.monotonic() + submission_timeout
    with start_kernel() as link:
        shown = Run(link, cell_timeout, end, hidden=False).outputs(instructor, student)
    with start_kernel() as link:
        scored = Run(link, cell_timeout, end, hidden=True).outputs(instructor, student)
    tests = {grade_id(c) for c in instructor.cells if kind(c) == "test"}
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = shown.get(index, [])
        if grade_id(cell) not in tests:
            continue  # a student's own cell: nothing of the scored pass may show
        failure = next((o for o in scored.get(index, []) if o.output_type == "error"), None)
        if failure is not None and not any(o.output_type == "error" for o in cell.outputs):
            cell.outputs.append(error_output("HiddenTestFailed", HIDDEN_FAILURE, [f"HiddenTestFailed: {HIDDEN_FAILURE}"]))
            cell.metadata["dlcourse"] = {"hidden_failure": failure.ename}


class Run:
    """One pass over the notebook: the student's cells in the kernel, the tests here."""

    def __init__(self, link, cell_timeout, end, hidden):
        self.link = link
        self.cell_timeout = cell_timeout
        self.end = end
        self.hidden = hidden
        self.namespace = {"__name__": "__main__"}

    def outputs(self, instructor, student):
        """{index of a student's code cell: its outputs} for this pass."""
        self.student = student
        self.results = {}
        tests = {grade_id(c) for c in instructor.cells if kind(c) == "test"}
        self.position = {grade_id(c): i for i, c in enumerate(student.cells) if grade_id(c)}
        self.pending = [i for i, c in enumerate(student.cells) if c.cell_type == "code" and grade_id(c) not in tests]
        for cell in instructor.cells:
            role, name = kind(cell), grade_id(cell)
            if role == "given":
                self.run_given(cell.source)
            elif role == "answer" and name in self.position:
                self.run_student_cells(until=self.position[name] + 1)
                self.bind_answers(cell.source)
            elif role == "test" and name in self.position:
                self.run_student_cells(until=self.position[name])
                self.results[self.position[name]] = self.run_test(cell.source)
        self.run_student_cells(until=len(student.cells))
        return self.results

    def run_student_cells(self, until):
        """Run the student's own cells (not the tests) in their kernel, up to a position."""
        while self.pending and self.pending[0] < until:
            index = self.pending.pop(0)
            try:
                with self.deadline():
                    reply = self.link.run(self.student.cells[index].source, self.cell_timeout)
            except wire.KernelDied as error:
                self.results[index] = [error_output("KernelDied", str(error), [])]
                continue
            outputs = text_outputs(reply.get("output"))
            error = reply.get("error")
            if isinstance(error, dict):
                lines = error.get("traceback") if isinstance(error.get("traceback"), list) else []
                outputs.append(error_output(str(error.get("ename")), str(error.get("evalue")), [str(x) for x in lines]))
            self.results[index] = outputs

    def bind_answers(self, source):
        """Make the names the task asks for (from the instructor's cell) handles on the kernel's."""
        for name in declared_names(source):
            with contextlib.suppress(wire.KernelDied, wire.WireError), self.deadline():
                value = self.link.describe(name)
                if value is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value

    def run_given(self, source):
        """A cell of the instructor's (data, helpers, training): run here, output dropped."""
        with self.deadline(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            with contextlib.suppress(Exception):
                exec(compile(source, "<given cell>", "exec"), self.namespace)

    def run_test(self, source):
        """Run a test cell: visible text and, if it failed, an error (the scored pass: only that)."""
        if self.link.dead:
            return [error_output("KernelDied", f"the student's kernel stopped before this test ({self.link.dead})", [])]
        visible = io.StringIO()
        for code, hidden in segments(source):
            if hidden and not self.hidden:
                continue
            self.link.sink = None if self.hidden else visible
            filename = "<hidden test>" if hidden else "<test cell>"
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            sink = io.StringIO() if self.hidden else visible
            try:
                with self.deadline(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                    exec(compile(code, filename, "exec"), self.namespace)
            except Exception as error:
                return text_outputs(visible.getvalue()) + [
                    error_output(type(error).__name__, str(error), test_traceback(error))
                ]
            finally:
                self.link.sink = None
        return text_outputs(visible.getvalue())

    @contextlib.contextmanager
    def deadline(self):
        """The cell's time limit (plus a grace period) for the kernel and for the judge's own code."""
        channel = self.link.channel
        if channel.deadline is not None:  # nested: the outer limit holds
            yield
            return
        channel.deadline = min(time.monotonic() + self.cell_timeout + 10, self.end)
        try:
            with alarm(max(channel.deadline - time.monotonic(), 0) + 5):
                yield
        finally:
            channel.deadline = None


def text_outputs(text):
    if not isinstance(text, str) or not text:
        return []
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT] + "\n... (output cut by the grader)\n"
    return [new_output("stream", name="stdout", text=text)]


def error_output(ename, evalue, traceback_lines):
    return new_output("error", ename=ename[:200], evalue=evalue[:2000], traceback=[line[:2000] for line in traceback_lines])


def test_traceback(error):
    """The lines of a visible test that failed: only frames of the test cell itself."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<test cell>"]
    lines = [f"line {f.lineno}: {f.line}" for f in frames if f.line]
    return lines + [f"{type(error).__name__}: {error}"]
