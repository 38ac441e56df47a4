"""nbgrader preprocessors that nbgrader_config.py puts in every grading route.

``./course grade``, plain ``nbgrader autograde`` / ``generate_feedback`` and the
formgrader's buttons all read nbgrader_config.py, so all of them get these:

    RepairMetadata   (sanitize) grade cells the student copied, relabelled or deleted
    JudgeInSandbox   (autograde) runs the notebook in place of nbgrader's Execute
    SafeOutputs      (autograde) keeps only plain outputs, cut to a readable size
    HideHiddenTests  (feedback) the student sees no hidden test
"""

import contextlib
import os
import re
import time
from pathlib import Path

import nbformat
import bleach
from nbconvert.filters import markdown2html
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from dlcourse.grading import judge, sandbox, wire

# The judge imports TensorFlow for tests that compare with Keras: keep its start-up quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
SAFE_DATA = {"text/plain"}
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MARKDOWN_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
                 "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
                 "tr", "ul"}


def instructor_notebook(config, info):
    """The instructor's source notebook of the notebook being graded."""
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
    return nbformat.read(folder / f"{info['notebook']}.ipynb", as_version=4)


class RepairMetadata(NbGraderPreprocessor):
    """Make the student's graded cells match the instructor's, whatever the student did.

    A cell whose grade_id the gradebook does not know, or whose type changed, loses its
    nbgrader metadata; of copies with one id the last is kept; every known cell gets the
    gradebook's metadata back (an edited test is restored by OverwriteCells, not
    trusted); a deleted cell comes back in the instructor's order (an answer as the
    unanswered stub). So one broken cell costs that task, never the whole notebook.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        order = [judge.grade_id(c) for c in instructor_notebook(self.config, info).cells if judge.grade_id(c)]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            known = {c.name: c for c in notebook.source_cells}
            points = {c.name: c.max_score for c in notebook.grade_cells}
            answers = {c.name for c in notebook.solution_cells}
            tasks = {c.name for c in notebook.task_cells}
        seen = set()
        for cell in reversed(nb.cells):
            name = judge.grade_id(cell)
            if name in known and name not in seen and cell.cell_type == known[name].cell_type:
                seen.add(name)
                cell.metadata["nbgrader"] = self.metadata(known[name], points, answers, tasks)
            elif "nbgrader" in cell.metadata:
                if name:
                    self.log.warning("Cell %r is unknown, repeated or retyped: graded as a plain cell", name)
                del cell.metadata["nbgrader"]
        position = 0
        for name in order:
            if name in seen:
                position = 1 + next(i for i, c in enumerate(nb.cells) if judge.grade_id(c) == name)
            elif name in known:
                source = known[name]
                make = nbformat.v4.new_code_cell if source.cell_type == "code" else nbformat.v4.new_markdown_cell
                cell = make(source.source, metadata={"nbgrader": self.metadata(source, points, answers, tasks)})
                nb.cells.insert(position, cell)
                position += 1
                self.log.warning("Cell %r was missing: put back", name)
        return nb, resources

    @staticmethod
    def metadata(source, points, answers, tasks):
        meta = {"grade_id": source.name, "grade": source.name in points, "solution": source.name in answers,
                "locked": source.locked, "schema_version": 3, "checksum": source.checksum}
        if source.name in points:
            meta["points"] = points[source.name]
        if source.name in tasks:
            meta["task"] = True
        return meta


class JudgeInSandbox(NbGraderPreprocessor):
    """Autograde without trusting the submission (replaces nbgrader's Execute).

    The student's cells run in their own kernel inside a bubblewrap sandbox; the
    instructor's given cells and tests run in this process against handles on the
    student's functions (judge.py). Refuses to run where no sandbox can be made, unless
    ``allow_unsafe`` is set.
    """

    cell_timeout = Integer(300, help="seconds a cell may run").tag(config=True)
    memory_mb = Integer(4096, help="address space per process of the student's kernel, MiB").tag(config=True)
    max_processes = Integer(256, help="processes and threads the student's kernel may start").tag(config=True)
    cpu_seconds = Integer(1800, help="CPU seconds for each process of the student's kernel").tag(config=True)
    submission_timeout = Integer(1800, help="seconds for a whole submission (both runs)").tag(config=True)
    allow_unsafe = Bool(False, help="grade without the sandbox where it cannot run (trusted work only)").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        instructor = instructor_notebook(self.config, info)
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        limits = sandbox.Limits(self.memory_mb, self.max_processes, self.cpu_seconds)
        start = time.perf_counter()

        @contextlib.contextmanager
        def start_kernel():
            kernel = sandbox.Sandbox(submitted, limits, self.allow_unsafe)
            if not kernel.sandboxed:
                self.log.warning("Grading %s WITHOUT a sandbox (allow_unsafe)", info["student"])
            elif not kernel.process_capped:
                self.log.warning("The number of processes is not capped (root without a writable pids cgroup)")
            try:
                yield judge.KernelLink(wire.Channel(kernel.read_fd, kernel.write_fd))
            finally:
                kernel.close()

        judge.grade(instructor, nb, start_kernel, self.cell_timeout, self.submission_timeout)
        self.log.info("Judged %s in %.1f s", info["student"], time.perf_counter() - start)
        return nb, resources


class SafeOutputs(NbGraderPreprocessor):
    """Keep text and errors, cut to size: no HTML, images, scripts or widgets.

    The autograded notebook is what the formgrader shows the instructor and what
    feedback is made from, so nothing a student printed or wrote in a markdown cell can
    run as a page's code: student markdown is stored as sanitized HTML; cell ids that
    are not plain names are replaced; metadata other than nbgrader's (tags,
    attachments, the notebook's own) is dropped.
    """

    max_chars = Integer(20_000, help="characters kept of each output").tag(config=True)

    def preprocess(self, nb, resources):
        nb.metadata = {"kernelspec": nb.metadata.get("kernelspec", {}), "language_info": {"name": "python"}}
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if "id" in cell and not CELL_ID.match(str(cell.id)):
            cell.id = f"cell-{index}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("nbgrader", "dlcourse")}
        cell.pop("attachments", None)
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("locked"):
            cell.source = safe_markdown(cell.source)
        if cell.cell_type != "code":
            return cell, resources
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.name = "stdout" if output.get("name") != "stderr" else "stderr"
                output.text = self.cut(str(output.get("text", "")))
            elif output.output_type in ("execute_result", "display_data"):
                output.data = {k: v for k, v in output.get("data", {}).items() if k in SAFE_DATA}
                output.metadata = {}
                if not output.data:
                    continue
                if "text/plain" in output.data:
                    output.data["text/plain"] = self.cut(str(output.data["text/plain"]))
            elif output.output_type == "error":
                output.traceback = [self.cut(str(line)) for line in output.get("traceback", [])[-40:]]
            else:
                continue
            kept.append(output)
        cell.outputs = kept
        return cell, resources

    def cut(self, text):
        if len(text) <= self.max_chars:
            return text
        return text[: self.max_chars] + "\n... (output cut by the grader)\n"


def safe_markdown(source):
    """A student's markdown as sanitized HTML that renders the same if rendered again.

    nbgrader's page templates render markdown without sanitizing it. The cleaned HTML
    is one <div> block with no blank line, which a markdown renderer passes through
    untouched, so no link or tag can appear on a second rendering.
    """
    html = bleach.clean(markdown2html(source), tags=MARKDOWN_TAGS, attributes={"a": ["href", "title"], "*": ["class"]},
                        protocols=["http", "https", "mailto"], strip=True)
    return '<div class="student-markdown">\n' + re.sub(r"\n\s*\n", "\n", html).strip() + "\n</div>"


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback: the hidden tests' source is replaced by a placeholder."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = judge.HIDDEN.sub("# (hidden tests)\n", cell.source)
        cell.metadata.pop("dlcourse", None)
        return cell, resources
